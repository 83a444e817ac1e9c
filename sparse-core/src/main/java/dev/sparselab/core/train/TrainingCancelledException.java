package dev.sparselab.core.train;

/** The run was cancelled while it trained; training stopped at a step boundary. */
public class TrainingCancelledException extends RuntimeException {
    public TrainingCancelledException(String message) {
        super(message);
    }
}
