package dev.sparselab.cli;

/** A failure to report in one line (and more lines of detail), with the exit status to end with. */
class CliException extends RuntimeException {
    final int exitCode;

    CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }
}
