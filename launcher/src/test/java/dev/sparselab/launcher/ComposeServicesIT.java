package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The services as docker-compose.yml runs them, without a Docker engine ({@link ComposeServices}): each
 * service's executable jar in a JVM of its own, with exactly the environment docker-compose gives its container,
 * against a real PostgreSQL and Kafka. They must become ready on the health URL the compose health checks ask,
 * and train and evaluate a run submitted through the gateway. So the settings the deployments pass are the ones
 * the services read.
 */
class ComposeServicesIT {
    @TempDir
    static Path dir;
    static ComposeServices compose;

    @BeforeAll
    static void start() throws Exception {
        compose = new ComposeServices(dir, false);
        compose.startAll("trainer");
    }

    @AfterAll
    static void stop() throws Exception {
        if (compose != null) {
            compose.close();
        }
    }

    @Test
    void aRunSubmittedThroughTheGatewayIsTrainedAndEvaluated() throws Exception {
        Api api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
        String runId = api.submitRun(PlatformIT.spec("compose services", "synthetic", "[32]", 1, 0.05,
                "{\"method\": \"magnitude\", \"target\": 0.5}"));
        JsonNode run = api.awaitRun(runId, Duration.ofMinutes(3));
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("evaluation").get("sparsity").asDouble()).isBetween(0.499, 0.501);
        assertThat(run.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.5);
    }

    @Test
    void fashionMnistIsReadFromTheDatasetsFolderTheComposeFileGives() throws Exception {
        Api api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
        String runId = api.submitRun(PlatformIT.spec("compose fashion-mnist", "fashion-mnist", "[32]", 1, 0.05,
                "{\"method\": \"dense\"}"));
        JsonNode run = api.awaitRun(runId, Duration.ofMinutes(4));
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.7);
    }
}
