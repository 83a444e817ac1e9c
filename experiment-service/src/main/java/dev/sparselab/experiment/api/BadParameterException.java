package dev.sparselab.experiment.api;

/** A query parameter that cannot be used (answered 400 with its name). */
public class BadParameterException extends RuntimeException {
    private final String parameter;

    public BadParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    String parameter() {
        return parameter;
    }
}
