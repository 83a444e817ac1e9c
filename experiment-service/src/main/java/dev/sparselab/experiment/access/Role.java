package dev.sparselab.experiment.access;

/** A user's role in a project. */
enum Role {
    /** reads, submits, cancels, and manages the project's members */
    ADMIN,
    /** reads, submits and cancels */
    MEMBER,
    /** reads */
    VIEWER;

    public boolean canWrite() {
        return this != VIEWER;
    }

    static Role of(String stored) {
        return valueOf(stored.toUpperCase(java.util.Locale.ROOT));
    }
}
