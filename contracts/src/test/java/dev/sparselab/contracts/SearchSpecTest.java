package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.FieldError;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.Plan;
import dev.sparselab.contracts.spec.SearchSpec;
import dev.sparselab.contracts.spec.SpecParser;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** {@code sweep.search}: what a search spec must be, and the runs of its trials. */
class SearchSpecTest {
    private final SpecParser parser = new SpecParser();

    private static String spec(String search) {
        return """
                {"name": "s", "dataset": {"name": "fashion-mnist"},
                 "model": {"type": "mlp", "hidden": [32], "activation": "relu"},
                 "training": {"epochs": 1, "batchSize": 64, "optimizer": {"type": "sgd", "learningRate": 0.05},
                              "seed": 5},
                 "sparsity": {"method": "set", "target": 0.8},
                 "sweep": {"search": %s}}""".formatted(search);
    }

    private static final String GOOD = """
            {"type": "tpe", "budget": 6,
             "objectives": [{"metric": "testAccuracy"}, {"metric": "sparseFlops", "mode": "min"}],
             "space": {"sparsity.target": {"distribution": "uniform", "low": 0.5, "high": 0.95},
                       "training.optimizer.learningRate": {"distribution": "logUniform", "low": 0.001, "high": 0.3},
                       "training.batchSize": {"distribution": "int", "low": 32, "high": 128, "step": 32},
                       "model.activation": {"distribution": "choice", "values": ["relu", "tanh"]}}}""";

    @Test
    void aSearchIsValidatedWithItsDefaultsAndPlansNoRunsItself() {
        Plan plan = parser.plan(spec(GOOD), false);
        assertThat(plan.runs()).isEmpty();
        SearchSpec s = plan.spec().sweep().search();
        assertThat(s.parallelism()).isEqualTo(4);
        assertThat(s.seed()).isEqualTo(5L);
        assertThat(s.startupTrials()).isEqualTo(10);
        assertThat(s.candidates()).isEqualTo(24);
        assertThat(s.multivariate()).isFalse();
        assertThat(s.objectives()).extracting(SearchSpec.Objective::mode).containsExactly("max", "min");
    }

    @Test
    void aTrialsRunIsTheStoredSpecWithItsValuesAndSeed() {
        ExperimentSpec stored = parser.plan(spec(GOOD), false).spec();
        JsonNodeFactory f = JsonNodeFactory.instance;
        ExperimentSpec run = parser.trialSpec(stored, Map.of("sparsity.target", f.numberNode(0.66),
                "training.batchSize", f.numberNode(96L), "model.activation", f.stringNode("tanh")), 5);
        assertThat(run.sparsity().target()).isEqualTo(0.66);
        assertThat(run.training().batchSize()).isEqualTo(96);
        assertThat(run.model().activation()).isEqualTo("tanh");
        assertThat(run.training().seed()).isEqualTo(5L);
        assertThat(run.sweep()).isNull();
        assertThatThrownBy(() -> parser.trialSpec(stored, Map.of("sparsity.target", f.numberNode(1.5)), 5))
                .isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void badSearchesNameEachBadField() {
        assertThat(errors(spec(GOOD).replace("\"search\"", "\"grid\": {\"sparsity.target\": [0.5]}, \"search\"")))
                .extracting(FieldError::pointer).containsExactly("/sweep/grid");
        assertThat(errors(spec(GOOD).replace("\"search\"", "\"seeds\": [1, 2], \"search\"")))
                .extracting(FieldError::pointer).containsExactly("/sweep/seeds");
        assertThat(errors(spec(GOOD).replace("\"low\": 0.5, \"high\": 0.95", "\"low\": 0.9, \"high\": 0.9")
                .replace("\"low\": 0.001", "\"low\": 0")))
                .extracting(FieldError::pointer).containsExactlyInAnyOrder("/sweep/search/space/sparsity.target/high",
                        "/sweep/search/space/training.optimizer.learningRate/low");
        // a bound that makes the run invalid is reported at its dimension, with the run's fault
        assertThat(errors(spec(GOOD).replace("\"high\": 0.95", "\"high\": 1.5")))
                .singleElement().satisfies(e -> {
                    assertThat(e.pointer()).isEqualTo("/sweep/search/space/sparsity.target");
                    assertThat(e.message()).contains("1.5").contains("/sparsity/target");
                });
        assertThat(errors(spec(GOOD).replace("[\"relu\", \"tanh\"]", "[\"relu\", \"swish\"]")))
                .singleElement().satisfies(e -> assertThat(e.pointer()).isEqualTo(
                        "/sweep/search/space/model.activation"));
        // the schema: an unknown metric, a missing budget, a distribution without its bounds
        assertThat(errors(spec(GOOD).replace("\"testAccuracy\"", "\"accuracy\"").replace("\"budget\": 6,", "")
                .replace("\"distribution\": \"int\", \"low\": 32, ", "\"distribution\": \"int\", ")))
                .extracting(FieldError::pointer).contains("/sweep/search/objectives/0/metric", "/sweep/search/budget",
                        "/sweep/search/space/training.batchSize");
    }

    private java.util.List<FieldError> errors(String text) {
        try {
            parser.plan(text, false);
        } catch (InvalidSpecException e) {
            return e.errors();
        }
        throw new AssertionError("accepted: " + text);
    }
}
