package dev.sparselab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's argument handling and exit statuses without a server (ClientsIT runs it against one):
 * 0 done, 2 a usage error or a refused request, 3 the server cannot be reached.
 */
class CliArgumentsTest {
    @TempDir
    static Path config;

    record Outcome(int status, String out, String err) {
    }

    @BeforeAll
    static void isolate() {
        System.setProperty("sparselab.config", config.toString()); // no saved credentials of the developer's
    }

    @AfterAll
    static void restore() {
        System.clearProperty("sparselab.config");
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SparseLabCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(status, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommandsAndSucceeds() {
        Outcome o = run("--help");
        assertThat(o.status()).isZero();
        assertThat(o.out()).contains("login", "submit", "runs", "show", "cancel", "compare", "catalog");
        assertThat(run("--version").out()).contains("sparselab");
    }

    @Test
    void anUnknownCommandOrAMissingArgumentIsAUsageError() {
        Outcome unknown = run("frobnicate");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("frobnicate");
        Outcome missing = run("show");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).containsIgnoringCase("missing");
        assertThat(run("submit").status()).isEqualTo(2);
        assertThat(run("runs", "--no-such-option").status()).isEqualTo(2);
    }

    @Test
    void loginNeedsATokenOrAUser() {
        Outcome o = run("login", "--url", "http://127.0.0.1:1");
        assertThat(o.status()).isEqualTo(2);
        assertThat(o.err()).contains("--token").contains("--user");
    }

    @Test
    void anUnreachableServerExitsThreeSayingWhere() {
        Outcome o = run("runs", "--url", "http://127.0.0.1:1", "--token", "slt_x");
        assertThat(o.status()).isEqualTo(3);
        assertThat(o.err()).contains("127.0.0.1:1");
    }
}
