package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI end to end in a real browser (Debian's Chromium, driven by playwright-core from
 * {@code web-ui/e2e/ui.e2e.mjs}) against the real local platform: submit a template, see validation at the
 * line, watch the runs reach SUCCEEDED live, open a run, compare, and check the plotted points against the
 * API. Screenshots of every page go to {@code docs/screenshots/}.
 */
class WebUiIT {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Path CHROMIUM = Path.of(System.getProperty("sparselab.chromium", "/usr/bin/chromium"));

    @TempDir
    static Path dataDir;
    static LocalPlatform platform;

    @BeforeAll
    static void start() throws Exception {
        Required.that(Files.isExecutable(CHROMIUM), "needs Debian's chromium (/usr/bin/chromium)");
        Required.that(Files.isDirectory(REPO.resolve("web-ui/node_modules/playwright-core")), "needs npm ci in web-ui");
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0, PlatformIT.DATASETS, 4));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void submitWatchAndCompareInTheBrowser() throws Exception {
        Path log = dataDir.resolve("e2e.log");
        ProcessBuilder pb = new ProcessBuilder(List.of("node", "e2e/ui.e2e.mjs", platform.baseUrl(),
                REPO.resolve("docs/screenshots").toString()))
                .directory(REPO.resolve("web-ui").toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARSELAB_TOKEN", platform.adminToken());
        pb.environment().put("SPARSELAB_PASSWORD", platform.adminPassword());
        Process node = pb.start();
        boolean done = node.waitFor(6, TimeUnit.MINUTES);
        if (!done) {
            node.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(done).as("the browser test finished in time:\n%s", output).isTrue();
        assertThat(node.exitValue()).as("browser test output:\n%s", output).isZero();
        assertThat(output).contains("e2e: passed");
    }
}
