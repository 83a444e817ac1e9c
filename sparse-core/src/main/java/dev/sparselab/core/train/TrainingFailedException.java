package dev.sparselab.core.train;

/** A run cannot go on (diverged, bad configuration discovered late); the message is the run's reason. */
public class TrainingFailedException extends RuntimeException {
    public TrainingFailedException(String message) {
        super(message);
    }
}
