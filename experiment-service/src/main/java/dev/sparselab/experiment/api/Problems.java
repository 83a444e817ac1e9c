package dev.sparselab.experiment.api;

import dev.sparselab.contracts.problems.ProblemTypes;
import dev.sparselab.contracts.spec.InvalidSpecException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Errors as RFC 9457 problem details ({@code application/problem+json}), each of the API's own with its stable
 * type from {@link ProblemTypes}; Spring MVC's generic ones (405, 415, ...) keep {@code about:blank}.
 */
@RestControllerAdvice
class Problems extends ResponseEntityExceptionHandler {
    static final URI INVALID_SPEC = ProblemTypes.INVALID_SPEC;
    static final URI NOT_FOUND = ProblemTypes.NOT_FOUND;

    @ExceptionHandler(InvalidSpecException.class)
    ProblemDetail invalidSpec(InvalidSpecException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                e.errors().size() + " field(s) of the spec are invalid; nothing was stored");
        p.setType(INVALID_SPEC);
        p.setTitle("Invalid experiment spec");
        List<Map<String, String>> errors = e.errors().stream()
                .map(f -> Map.of("pointer", f.pointer(), "detail", f.message()))
                .toList();
        p.setProperty("errors", errors);
        return p;
    }

    @ExceptionHandler(BadParameterException.class)
    ProblemDetail badParameter(BadParameterException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "query parameter '" + e.parameter() + "' " + e.getMessage());
        p.setType(ProblemTypes.INVALID_PARAMETER);
        p.setTitle("Invalid query parameter");
        p.setProperty("errors", List.of(Map.of("parameter", e.parameter(), "detail", e.getMessage())));
        return p;
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        p.setType(ProblemTypes.CONFLICT);
        p.setTitle("Conflict");
        return p;
    }

    /** The database is away for a moment: the client may retry; nothing was changed. */
    @ExceptionHandler({org.springframework.dao.DataAccessException.class,
            org.springframework.transaction.TransactionException.class})
    org.springframework.http.ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
        if (!dev.sparselab.messaging.ConsumerErrorHandling.isOutage(e)) {
            String state = sqlState(e);
            if (state != null && state.startsWith("22")) {
                // a "data exception": a value the client sent that PostgreSQL cannot take (a NUL character...)
                ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                        "a value in the request is not acceptable (SQL state " + state + "); nothing was changed");
                p.setType(ProblemTypes.INVALID_REQUEST);
                p.setTitle("Bad Request");
                return org.springframework.http.ResponseEntity.badRequest().body(p);
            }
            throw e;
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "the results database is unavailable for the moment; nothing was changed, retry shortly");
        p.setType(ProblemTypes.UNAVAILABLE);
        p.setTitle("Service unavailable");
        return org.springframework.http.ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", "5").body(p);
    }

    @ExceptionHandler(dev.sparselab.experiment.access.NotVisibleException.class)
    ProblemDetail notVisible(dev.sparselab.experiment.access.NotVisibleException e) {
        return notFound(new NotFoundException(e.getMessage()));
    }

    @ExceptionHandler(dev.sparselab.experiment.access.ForbiddenException.class)
    ProblemDetail forbidden(dev.sparselab.experiment.access.ForbiddenException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
        p.setType(ProblemTypes.FORBIDDEN);
        p.setTitle("Forbidden");
        return p;
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        p.setType(NOT_FOUND);
        p.setTitle("Not found");
        return p;
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
