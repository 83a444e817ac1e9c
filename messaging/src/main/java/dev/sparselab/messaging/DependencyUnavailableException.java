package dev.sparselab.messaging;

/**
 * Kafka (or another service the platform depends on) could not be reached in time: the work is retried
 * with back-off rather than failed or dead-lettered.
 */
public class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
