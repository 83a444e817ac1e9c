package dev.sparselab.gateway.auth;

import dev.sparselab.contracts.problems.ProblemTypes;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** The gateway's own routes answer errors as RFC 9457 problem details, listing bad fields. */
@RestControllerAdvice
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class GatewayProblems {
    @ExceptionHandler(ApiException.class)
    org.springframework.http.ResponseEntity<ProblemDetail> api(ApiException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        p.setType(typeOf(e.status()));
        p.setTitle(e.status().getReasonPhrase());
        if (!e.errors().isEmpty()) {
            p.setProperty("errors", e.errors());
        }
        return org.springframework.http.ResponseEntity.status(e.status()).body(p);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e, jakarta.servlet.http.HttpServletRequest request) {
        if (BodySizeFilter.isTooLarge(e) || request.getAttribute(BodySizeFilter.TOO_LARGE) != null) {
            ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                    "the request body is too large; nothing was stored");
            p.setType(ProblemTypes.CONTENT_TOO_LARGE);
            p.setTitle("Content Too Large");
            return p;
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the request body is not valid JSON of the expected shape");
        p.setType(ProblemTypes.INVALID_REQUEST);
        p.setTitle("Bad Request");
        return p;
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail mismatch(MethodArgumentTypeMismatchException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "'" + e.getName() + "' has the wrong type");
        p.setType(ProblemTypes.INVALID_PARAMETER);
        p.setTitle("Bad Request");
        return p;
    }

    @ExceptionHandler(org.springframework.web.bind.MissingServletRequestParameterException.class)
    ProblemDetail missing(org.springframework.web.bind.MissingServletRequestParameterException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the parameter '" + e.getParameterName() + "' is required");
        p.setType(ProblemTypes.INVALID_PARAMETER);
        p.setTitle("Bad Request");
        p.setProperty("errors", java.util.List.of(java.util.Map.of("parameter", e.getParameterName(),
                "detail", "is required")));
        return p;
    }

    /** The catalogue's type for a status the gateway's own routes answer. */
    static java.net.URI typeOf(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> ProblemTypes.INVALID_REQUEST;
            case UNAUTHORIZED -> ProblemTypes.UNAUTHORIZED;
            case FORBIDDEN -> ProblemTypes.FORBIDDEN;
            case NOT_FOUND -> ProblemTypes.NOT_FOUND;
            case CONFLICT -> ProblemTypes.CONFLICT;
            case CONTENT_TOO_LARGE -> ProblemTypes.CONTENT_TOO_LARGE;
            case TOO_MANY_REQUESTS -> ProblemTypes.TOO_MANY_REQUESTS;
            case SERVICE_UNAVAILABLE -> ProblemTypes.UNAVAILABLE;
            default -> java.net.URI.create("about:blank");
        };
    }
}
