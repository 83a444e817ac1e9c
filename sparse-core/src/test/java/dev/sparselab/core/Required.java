package dev.sparselab.core;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A precondition of a required test: unlike an assumption, an unmet one fails the test (with what to do)
 * instead of skipping it silently. {@code ./sparselab test} installs everything these ask for.
 */
public final class Required {
    private Required() {
    }

    public static void that(boolean met, String what) {
        if (!met) {
            fail(what + " — a required test cannot run; './sparselab test' installs what the tests need");
        }
    }
}
