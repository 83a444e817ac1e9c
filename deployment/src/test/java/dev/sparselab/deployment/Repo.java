package dev.sparselab.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository root, and running the command-line tools the checks use (kubectl, docker-compose, node). */
final class Repo {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a command printed on stdout and stderr, and its exit status. */
    record Result(int status, String out, String err) {
    }

    /** Runs a command in the repository root; a missing tool fails with what to install. */
    static Result run(List<String> command, String... env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        for (int i = 0; i + 1 < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        try {
            Path out = Files.createTempFile("cmd", ".out");
            Path err = Files.createTempFile("cmd", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException(command.get(0) + " is needed for this check and was not found "
                        + "(.ci/run installs it: kubectl with kustomize, Debian's docker-compose, Node.js)", e);
            }
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed; returns its stdout. */
    static String output(String... command) {
        Result r = run(new ArrayList<>(List.of(command)));
        assertThat(r.status()).as("%s failed: %s", String.join(" ", command), r.err()).isZero();
        return r.out();
    }
}
