package dev.sparselab.experiment.api;

import java.util.UUID;

/** A resource that does not exist (answered 404). */
class NotFoundException extends RuntimeException {
    NotFoundException(String kind, UUID id) {
        super("no " + kind + " with id " + id);
    }

    NotFoundException(String message) {
        super(message);
    }
}
