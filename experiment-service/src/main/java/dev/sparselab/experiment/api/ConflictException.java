package dev.sparselab.experiment.api;

/** A request that conflicts with the resource's state (answered 409). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
