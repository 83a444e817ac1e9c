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

    /**
     * The web UI's API types are generated at build time (openapi-typescript) from {@code web-ui/openapi.json}: that file
     * must be the document the platform serves ({@code GET /api/v1/openapi.json}, the gateway's and the
     * experiment-service's merged), keys sorted. After an API change, run this test with
     * {@code -Dsparselab.openapi.write=true} to refresh it, then rebuild the UI: a type the pages use wrongly no longer
     * compiles.
     */
    @Test
    void theUiTypesComeFromTheServedOpenApiDocument() throws Exception {
        Api api = new Api(platform.baseUrl(), platform.adminToken());
        Api.Response r = api.get("/api/v1/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        String served = canonical(r.body()).toPrettyString() + "\n";
        Path committed = REPO.resolve("web-ui/openapi.json");
        if (Boolean.getBoolean("sparselab.openapi.write")) {
            Files.writeString(committed, served);
        }
        assertThat(Files.readString(committed)).as("web-ui/openapi.json is the served document (refresh it with "
                + "-Dsparselab.openapi.write=true)").isEqualTo(served);
    }

    /** The document with every object's keys sorted (the served order is not part of the API). */
    static tools.jackson.databind.JsonNode canonical(tools.jackson.databind.JsonNode node) {
        if (node.isObject()) {
            tools.jackson.databind.node.ObjectNode sorted = Api.JSON.createObjectNode();
            new java.util.TreeSet<>(node.propertyNames()).forEach(k -> sorted.set(k, canonical(node.get(k))));
            return sorted;
        }
        if (node.isArray()) {
            tools.jackson.databind.node.ArrayNode a = Api.JSON.createArrayNode();
            node.forEach(n -> a.add(canonical(n)));
            return a;
        }
        return node;
    }
}
