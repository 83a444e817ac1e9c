package dev.sparselab.experiment.access;

/** The caller sees the resource but their role does not allow the change (403). */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
