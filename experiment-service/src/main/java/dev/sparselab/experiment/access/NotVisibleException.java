package dev.sparselab.experiment.access;

import java.util.UUID;

/** Missing, or not the caller's to see: the same answer (404), so ids of other projects leak nothing. */
public class NotVisibleException extends RuntimeException {
    public NotVisibleException(String kind, UUID id) {
        super("no " + kind + " with id " + id);
    }

    public NotVisibleException(String message) {
        super(message);
    }
}
