package dev.sparselab.gateway.auth;

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
            p.setTitle("Content Too Large");
            return p;
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the request body is not valid JSON of the expected shape");
        p.setTitle("Bad Request");
        return p;
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail mismatch(MethodArgumentTypeMismatchException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "'" + e.getName() + "' has the wrong type");
        p.setTitle("Bad Request");
        return p;
    }
}
