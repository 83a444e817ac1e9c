package dev.sparselab.experiment.api;

import java.util.UUID;

/** A resource that does not exist (answered 404). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String kind, UUID id) {
        super("no " + kind + " with id " + id);
    }

    public NotFoundException(String message) {
        super(message);
    }
}
