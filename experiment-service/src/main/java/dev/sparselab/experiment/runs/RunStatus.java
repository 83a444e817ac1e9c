package dev.sparselab.experiment.runs;

/** The life of a run: {@code QUEUED → RUNNING → EVALUATING → SUCCEEDED}, or FAILED / CANCELLED. */
enum RunStatus {
    QUEUED, RUNNING, EVALUATING, SUCCEEDED, FAILED, CANCELLED
}
