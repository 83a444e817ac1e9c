package dev.sparselab.experiment.access;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.util.StringUtils;
import org.springframework.web.util.UrlPathHelper;

/**
 * The path a request is routed by: percent-decoded, without {@code ;} parameters, duplicate slashes or dot segments
 * (what the dispatcher maps). Path checks in filters use it, never the raw URI, so that an encoded path
 * ({@code /%61pi/...}, {@code /api/v1/auth/%6Cogin}) cannot step around them (issue 20).
 */
final class RequestPaths {
    private RequestPaths() {
    }

    static String of(HttpServletRequest request) {
        return StringUtils.cleanPath(UrlPathHelper.defaultInstance.getPathWithinApplication(request));
    }
}
