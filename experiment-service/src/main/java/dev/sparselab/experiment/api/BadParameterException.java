package dev.sparselab.experiment.api;

/** A query parameter that cannot be used (answered 400 with its name). */
class BadParameterException extends RuntimeException {
    private final String parameter;

    BadParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    String parameter() {
        return parameter;
    }
}
