package dev.sparselab.cli;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The REST API over the JDK's HTTP client: JSON in and out, problem+json errors as {@link CliException}s. */
class Api {
    static final JsonMapper JSON = JsonMapper.builder().build();
    final String url;
    private final String token;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;

    Api(String url, String token) {
        this.url = url;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).cookieHandler(cookies).build();
    }

    static String query(Map<String, ?> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (v != null) {
                for (Object each : v instanceof Iterable<?> it ? it : java.util.List.of(v)) {
                    q.append(q.isEmpty() ? "?" : "&").append(k).append('=')
                            .append(URLEncoder.encode(String.valueOf(each), StandardCharsets.UTF_8));
                }
            }
        });
        return q.toString();
    }

    JsonNode get(String path) {
        return json(send(request(path).GET(), "application/json"));
    }

    String getText(String path, String accept) {
        return send(request(path).GET(), accept).body();
    }

    JsonNode post(String path, String contentType, String body) {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        csrf(b);
        return json(send(b, "application/json"));
    }

    /** The status of the last {@link #postStatus} call's answer, with its body. */
    record Answer(int status, JsonNode body) {
    }

    Answer postStatus(String path, String contentType, String body) {
        HttpResponse<String> r = send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)), "application/json");
        return new Answer(r.statusCode(), json(r));
    }

    JsonNode post(String path) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.noBody());
        csrf(b);
        return json(send(b, "application/json"));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
        } catch (IllegalArgumentException e) {
            throw new CliException("not a valid server address: " + url, 2);
        }
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    /** The session's CSRF token (only for a login session, which has no API token yet). */
    private void csrf(HttpRequest.Builder b) {
        for (HttpCookie c : cookies.getCookieStore().getCookies()) {
            if (c.getName().equals("XSRF-TOKEN")) {
                b.header("X-XSRF-TOKEN", c.getValue());
            }
        }
    }

    /** A GET whose body is bytes (a model file); an error answer is reported as any other. */
    byte[] getBytes(String path) {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request(path).GET().header("Accept", "application/octet-stream").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new CliException("cannot reach SparseLab at " + url + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", 130);
        }
        if (r.statusCode() >= 400) {
            throw problem(r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8), r.headers());
        }
        return r.body();
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String accept) {
        HttpResponse<String> r;
        try {
            r = http.send(b.header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliException("cannot reach SparseLab at " + url + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", 130);
        }
        if (r.statusCode() >= 400) {
            throw problem(r);
        }
        return r;
    }

    private static JsonNode json(HttpResponse<String> r) {
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** "error: DETAIL" and one line per bad field; 401 says how to log in. */
    static CliException problem(HttpResponse<String> r) {
        return problem(r.statusCode(), r.body(), r.headers());
    }

    static CliException problem(int status, String body, java.net.http.HttpHeaders headers) {
        StringBuilder msg = new StringBuilder();
        try {
            JsonNode p = JSON.readTree(body);
            msg.append(p.path("detail").asString(p.path("title").asString("HTTP " + status)));
            for (JsonNode e : p.path("errors")) {
                msg.append("\n  ").append(e.has("pointer") ? e.path("pointer").asString()
                        : e.path("parameter").asString()).append(": ").append(e.path("detail").asString());
            }
        } catch (RuntimeException e) {
            msg.append("HTTP ").append(status);
        }
        if (status == 401) {
            msg.append("\n  (log in with: sparselab login --url URL --token TOKEN, or set SPARSELAB_TOKEN)");
        }
        headers.firstValue("Retry-After").ifPresent(s -> msg.append("\n  retry after ").append(s).append(" s"));
        return new CliException("error (" + status + "): " + msg, status >= 500 ? 3 : 2);
    }

    static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
