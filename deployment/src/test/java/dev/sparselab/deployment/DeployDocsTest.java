package dev.sparselab.deployment;

import static dev.sparselab.deployment.Manifests.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/deploy.md against the manifests (issue 20 item 12): the air-gapped section names every image the overlays run
 * (and the datasets mirror setting), and the node check command an admin copies runs where the GPU trainers run,
 * with a memory limit.
 */
class DeployDocsTest {
    static final String DOCS = Repo.read("docs/deploy.md");

    static String section(String heading) {
        int start = DOCS.indexOf(heading);
        assertThat(start).as(heading).isNotNegative();
        int end = DOCS.indexOf("\n### ", start + heading.length());
        return DOCS.substring(start, end < 0 ? DOCS.length() : end);
    }

    @Test
    void theAirGappedSectionNamesEveryImageTheOverlaysRun() {
        String airGapped = section("### Air-gapped installation");
        Set<String> images = new TreeSet<>();
        for (String overlay : new String[]{"dev", "gpu"}) {
            for (JsonNode o : render(overlay)) {
                o.findValues("image").forEach(i -> images.add(i.asText()));
                o.findValues("imageName").forEach(i -> images.add(i.asText()));
            }
        }
        assertThat(images).isNotEmpty();
        for (String image : images) {
            String name = image.substring(0, image.lastIndexOf(':'));
            String tag = image.substring(image.lastIndexOf(':') + 1);
            String repo = name.substring(name.lastIndexOf('/') + 1);
            assertThat(airGapped).as(image).contains(name.contains("ghcr.io/sparselab/")
                    ? repo : name).contains(tag);
        }
        assertThat(airGapped).contains("FASHION_MNIST_URL").contains("DJL_OFFLINE=true");
    }

    @Test
    void theNodeCheckRunsOnGpuNodesWithAMemoryLimit() throws Exception {
        Matcher m = Pattern.compile("kubectl -n sparselab run -it --rm engine-check [^`]*--overrides='([^']*)'")
                .matcher(DOCS);
        assertThat(m.find()).as("the engine-check command").isTrue();
        JsonNode spec = new ObjectMapper().readTree(m.group(1)).path("spec");
        JsonNode trainer = Manifests.named(render("gpu"), "Deployment", "trainer-service").at("/spec/template/spec");
        assertThat(spec.path("tolerations")).isEqualTo(trainer.path("tolerations"));
        assertThat(spec.path("nodeSelector")).isEqualTo(trainer.path("nodeSelector"));
        JsonNode limits = spec.at("/containers/0/resources/limits");
        assertThat(limits.path("memory").asText()).isNotEmpty();
        assertThat(limits.path("nvidia.com/gpu").asInt()).isEqualTo(1);
    }
}
