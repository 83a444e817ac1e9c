package dev.sparselab.core.data;

/** The data a run needs is not on this machine; the message says what is missing and how to get it. */
public class DatasetUnavailableException extends RuntimeException {
    public DatasetUnavailableException(String message) {
        super(message);
    }

    public DatasetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
