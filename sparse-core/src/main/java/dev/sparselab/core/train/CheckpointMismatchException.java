package dev.sparselab.core.train;

/** A checkpoint does not fit the run it should resume: the run fails loudly rather than train on wrong state. */
public class CheckpointMismatchException extends TrainingFailedException {
    public CheckpointMismatchException(String detail) {
        super("cannot resume from checkpoint: " + detail);
    }
}
