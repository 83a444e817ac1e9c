package dev.sparselab.experiment.api;

/** A request that conflicts with the resource's state (answered 409). */
class ConflictException extends RuntimeException {
    ConflictException(String message) {
        super(message);
    }
}
