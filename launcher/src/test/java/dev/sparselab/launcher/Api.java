package dev.sparselab.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small client of the public REST API, as a script would use it. */
final class Api {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    /** A client sending {@code Authorization: Bearer <token>} (none if token is null). */
    Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same server as another caller. */
    Api as(String otherToken) {
        return new Api(base, otherToken);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    record Response(int status, String contentType, JsonNode body) {
    }

    Response post(String path, String contentType, String body) {
        return send(request(path)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    record Text(int status, String contentType, String body) {
    }

    /** A GET with an Accept header, the body as text. */
    Text getText(String path, String accept) {
        try {
            HttpResponse<String> r = http.send(request(path).header("Accept", accept)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Text(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Bytes(int status, java.net.http.HttpHeaders headers, byte[] body) {
    }

    /** A GET whose body is kept as bytes (a model download). */
    Bytes getBytes(String path) {
        try {
            HttpResponse<byte[]> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Bytes(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A POST without a body (cancel). */
    Response post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    Response delete(String path) {
        return send(request(path).DELETE().build());
    }

    Response put(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Response get(String path) {
        return send(request(path).GET().build());
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
            return new Response(r.statusCode(), type, body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Submits a JSON spec and returns the id of its (single) run. */
    String submitRun(String specJson) {
        Response r = post("/api/v1/experiments", "application/json", specJson);
        if (r.status() != 201) {
            throw new AssertionError("submit failed: " + r.status() + " " + r.body());
        }
        return r.body().get("runs").get(0).get("id").asString();
    }

    /** Polls a run until it reaches a terminal status. */
    JsonNode awaitRun(String runId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode run = null;
        while (Instant.now().isBefore(deadline)) {
            run = get("/api/v1/runs/" + runId).body();
            if (TERMINAL.contains(run.get("status").asString())) {
                return run;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("run " + runId + " did not finish within " + timeout + ": " + run);
    }
}
