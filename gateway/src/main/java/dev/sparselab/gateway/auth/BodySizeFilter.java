package dev.sparselab.gateway.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request bodies of at most {@code sparselab.gateway.limits.max-request-body}: a larger {@code Content-Length} is
 * answered {@code 413} before anything is read; a body without one (chunked) is cut off where it passes the limit.
 */
class BodySizeFilter extends OncePerRequestFilter {
    private final long max;

    BodySizeFilter(long max) {
        this.max = max;
    }

    /** Thrown by the stream when a body passes the limit. */
    static class TooLarge extends IOException {
        TooLarge(long max) {
            super("the request body is larger than " + max + " bytes");
        }
    }

    /** Set on the request when its body passed the limit (however a reader wraps the exception). */
    static final String TOO_LARGE = BodySizeFilter.class.getName() + ".tooLarge";

    static boolean isTooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooLarge) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !RequestPaths.of(request).startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > max) {
            tooLarge(response);
            return;
        }
        try {
            chain.doFilter(new Limited(request, max), response);
        } catch (IOException | ServletException | RuntimeException e) {
            if ((isTooLarge(e) || request.getAttribute(TOO_LARGE) != null) && !response.isCommitted()) {
                response.resetBuffer();
                tooLarge(response);
                return;
            }
            throw e;
        }
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        SecurityConfig.problem(response, dev.sparselab.contracts.problems.ProblemTypes.CONTENT_TOO_LARGE, 413, "Content Too Large",
                "the request body is larger than " + max + " bytes; nothing was read or stored");
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long max;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long max) {
            super(request);
            this.max = max;
        }

        private TooLarge tooLarge() {
            setAttribute(TOO_LARGE, Boolean.TRUE);
            return new TooLarge(max);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0 && ++read > max) {
                            throw tooLarge();
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = in.read(buf, off, len);
                        if (n > 0 && (read += n) > max) {
                            throw tooLarge();
                        }
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
