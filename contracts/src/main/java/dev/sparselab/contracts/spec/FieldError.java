package dev.sparselab.contracts.spec;

/**
 * One problem with a submitted spec.
 *
 * @param pointer a JSON pointer (RFC 6901) to the offending field, {@code ""} for the whole document
 * @param message what is wrong, in words a researcher can act on
 */
public record FieldError(String pointer, String message) {
}
