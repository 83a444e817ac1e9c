package dev.sparselab.experiment.runs;

/** The life of a run: {@code QUEUED → RUNNING → EVALUATING → SUCCEEDED}, or FAILED / CANCELLED. */
enum RunStatus {
    QUEUED, RUNNING, EVALUATING, SUCCEEDED, FAILED, CANCELLED;

    /** Whether the run has ended: its status and its data no longer change. */
    boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
