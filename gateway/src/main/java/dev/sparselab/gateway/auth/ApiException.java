package dev.sparselab.gateway.auth;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** An error answered as problem+json with the given status; {@code errors} lists bad fields, if any. */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final List<Map<String, String>> errors;

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, List.of());
    }

    public ApiException(HttpStatus status, String detail, List<Map<String, String>> errors) {
        super(detail);
        this.status = status;
        this.errors = errors;
    }

    public HttpStatus status() {
        return status;
    }

    public List<Map<String, String>> errors() {
        return errors;
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, what);
    }

    /** One invalid field of a request body, by JSON pointer. */
    public static ApiException invalid(String pointer, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "the request is invalid; nothing was changed",
                List.of(Map.of("pointer", pointer, "detail", detail)));
    }
}
