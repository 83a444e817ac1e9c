package dev.sparselab.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images' Dockerfiles (no Docker engine here to build them): multi-stage, pinned bases, the module they
 * build exists, a non-root user, a health check, and JVM flags for containers.
 */
class DockerfilesTest {
    static final Pattern FROM = Pattern.compile("(?m)^FROM\\s+(\\S+)(\\s+AS\\s+(\\S+))?");

    @ParameterizedTest
    @ValueSource(strings = {"gateway/Dockerfile", "experiment-service/Dockerfile", "evaluator-service/Dockerfile",
            "trainer-service/Dockerfile", "trainer-service/Dockerfile.cuda"})
    void buildsItsModuleInOneStageAndRunsItLockedDownInAnother(String path) {
        String text = Repo.read(path);
        String module = path.substring(0, path.indexOf('/'));
        Matcher from = FROM.matcher(text);
        int stages = 0;
        while (from.find()) {
            stages++;
            assertThat(from.group(1)).as(path + " base image pinned").matches("[\\w./-]+:[\\w.-]*\\d[\\w.-]*");
        }
        assertThat(stages).as(path + " stages").isEqualTo(2);
        // every COPY --from names a pinned image or the build stage
        Matcher copyFrom = Pattern.compile("COPY --from=(\\S+)").matcher(text);
        while (copyFrom.find()) {
            assertThat(copyFrom.group(1)).matches("build|[\\w./-]+:[\\w.-]*\\d[\\w.-]*");
        }
        assertThat(text).contains("mvn -B -q -pl " + module + " -am package -DskipTests");
        assertThat(Repo.path(module + "/pom.xml")).exists();
        assertThat(text).contains("/src/" + module + "/target/" + module + "-*-exec.jar");
        String runtime = text.substring(text.lastIndexOf("\nFROM "));
        assertThat(runtime).contains("USER 10001:10001").contains("useradd --system --uid 10001");
        assertThat(runtime.indexOf("USER 10001")).as("the user is set before the entry point")
                .isLessThan(runtime.indexOf("ENTRYPOINT"));
        String port = switch (module) {
            case "gateway" -> "8080";
            case "experiment-service" -> "8081";
            case "trainer-service" -> "8082";
            default -> "8083";
        };
        // the port the service listens on is the one exposed and probed (its yaml: server.port: ${PORT:...})
        assertThat(Repo.read(module + "/src/main/resources/" + module + ".yaml")).contains("${PORT:" + port + "}");
        // the experiment-service's actuator has a port of its own, on loopback (issue 20 item 5), and so has the
        // gateway's in its image (issue 21: Prometheus, never on the public port)
        String health = module.equals("experiment-service") ? "9081" : module.equals("gateway") ? "9080" : port;
        if (module.equals("experiment-service")) {
            assertThat(Repo.read(module + "/src/main/resources/" + module + ".yaml"))
                    .contains("port: ${SPARSELAB_MANAGEMENT_PORT:9081}")
                    .contains("address: ${SPARSELAB_MANAGEMENT_ADDRESS:127.0.0.1}");
        }
        if (module.equals("gateway")) {
            assertThat(Repo.read(module + "/src/main/resources/" + module + ".yaml"))
                    .contains("port: ${SPARSELAB_MANAGEMENT_PORT:}");
            assertThat(runtime).contains("SPARSELAB_MANAGEMENT_PORT=9080").contains("MANAGEMENT_SERVER_ADDRESS=127.0.0.1");
        }
        assertThat(runtime).contains("ENV PORT=" + port).contains("EXPOSE " + port)
                .contains("HEALTHCHECK").contains("http://127.0.0.1:" + health + "/actuator/health/readiness");
        assertThat(runtime).contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
        assertThat(runtime).contains("-XX:+ExitOnOutOfMemoryError").containsPattern("-XX:MaxRAMPercentage=\\d+");
        if (module.equals("trainer-service") || module.equals("evaluator-service")) {
            // PyTorch's native libraries unpacked into the image by the engine check, used read-only
            assertThat(runtime).contains("ENV DJL_CACHE_DIR=/opt/djl").contains("dev.sparselab.core.train.EngineCheck")
                    .contains("DJL_OFFLINE=true").contains("SPARSELAB_DATASETS_DIR=/datasets");
        }
        if (module.equals("trainer-service")) {
            // a fixed, pre-touched heap (README, "Training throughput"); C2 on: the sparse engine's kernels are
            // JIT-vectorized loops, 1.5-2.6x slower under C1 only (docs/sparse-engine.md)
            assertThat(runtime).doesNotContain("TieredStopAtLevel").contains("-XX:+AlwaysPreTouch")
                    .containsPattern("InitialRAMPercentage=(\\d+).*MaxRAMPercentage=\\1");
        }
        if (path.endsWith(".cuda")) {
            assertThat(text).contains("-Dcuda").contains("PYTORCH_FLAVOR=cu128").contains("FROM nvidia/cuda:12.8");
            // issue 20 item 12: the CUDA base image has no locale; the Temurin-based images have UTF-8 already
            assertThat(text).contains("LANG=C.UTF-8").contains("LC_ALL=C.UTF-8");
        }
        if (module.equals("gateway")) {
            assertThat(text).contains("COPY --from=node:20");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"target/", "node_modules/", ".git/"})
    void theBuildContextLeavesOutBuildOutputs(String ignored) {
        assertThat(Repo.read(".dockerignore").lines().toList()).anySatisfy(l -> assertThat(l).endsWith(ignored));
    }

}
