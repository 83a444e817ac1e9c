package dev.sparselab.contracts.spec;

import java.util.List;

/** A spec that cannot be run, with every bad field listed. */
public class InvalidSpecException extends RuntimeException {
    private final List<FieldError> errors;

    public InvalidSpecException(List<FieldError> errors) {
        super("invalid spec: " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
