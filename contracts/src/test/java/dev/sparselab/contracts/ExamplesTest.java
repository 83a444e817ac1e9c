package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.spec.Plan;
import dev.sparselab.contracts.spec.SpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every spec under examples/ (the papers' recipes included) is valid and plans its runs. */
class ExamplesTest {
    @Test
    void everyExampleSpecIsValid() throws IOException {
        Path examples = Path.of("..", "examples");
        List<Path> specs;
        try (Stream<Path> files = Files.walk(examples)) {
            specs = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).sorted()
                    .toList();
        }
        assertThat(specs).extracting(p -> p.getFileName().toString()).contains("set-fashion-mnist.yaml");
        SpecParser parser = new SpecParser();
        for (Path spec : specs) {
            String text = Files.readString(spec);
            Plan plan = parser.plan(text, !spec.toString().endsWith(".json"));
            if (plan.spec().sweep() != null && plan.spec().sweep().search() != null) {
                // a search's runs are proposed by the experiment-service: its space's bounds were checked here
                assertThat(plan.runs()).as(spec.toString()).isEmpty();
            } else {
                assertThat(plan.runs()).as(spec.toString()).isNotEmpty();
            }
        }
    }
}
