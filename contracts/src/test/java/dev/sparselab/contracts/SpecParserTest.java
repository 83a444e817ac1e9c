package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.FieldError;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.SpecParser;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SpecParserTest {
    static final String README_SPEC = """
            {"name": "lenet-300-100 magnitude 90%",
             "dataset": {"name": "fashion-mnist"},
             "model": {"type": "mlp", "hidden": [300, 100], "activation": "relu"},
             "training": {"epochs": 2, "batchSize": 128,
                          "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}, "seed": 42},
             "sparsity": {"method": "magnitude", "target": 0.9}}
            """;

    final SpecParser parser = new SpecParser();

    @Test
    void readsTheReadmeSpecAndFillsDefaults() {
        ExperimentSpec spec = parser.parse(README_SPEC, false);
        assertThat(spec.model().hidden()).containsExactly(300, 100);
        assertThat(spec.training().seed()).isEqualTo(42L);
        assertThat(spec.training().optimizer().weightDecay()).isEqualTo(0.0);
        assertThat(spec.sparsity().target()).isEqualTo(0.9);
        assertThat(spec.sparsity().finetuneEpochs()).isEqualTo(1);
    }

    @Test
    void yamlAndJsonGiveTheSameSpec() {
        String yaml = """
                name: lenet-300-100 magnitude 90%
                dataset: {name: fashion-mnist}
                model: {type: mlp, hidden: [300, 100], activation: relu}
                training:
                  epochs: 2
                  batchSize: 128
                  optimizer: {type: sgd, learningRate: 0.05, momentum: 0.9}
                  seed: 42
                sparsity: {method: magnitude, target: 0.9}
                """;
        assertThat(parser.parse(yaml, true)).isEqualTo(parser.parse(README_SPEC, false));
    }

    @Test
    void namesEveryBadField() {
        String bad = """
                {"name": "x", "dataset": {"name": "imagenet"}, "model": {"type": "mlp"},
                 "training": {"epochs": -1}, "sparsity": {"method": "voodoo", "target": 1.0}}
                """;
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(bad, false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly(
                "/dataset/name", "/sparsity/method", "/sparsity/target", "/training/epochs");
    }

    @Test
    void missingAndUnknownFieldsArePointedAt() {
        String bad = """
                {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hiden": [3]}}
                """;
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(bad, false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/model/hiden", "/training");
    }

    @Test
    void malformedTextIsOneErrorAtTheRoot() {
        for (var text : List.of("{\"name\": ", "name: [unclosed")) {
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                    () -> parser.parse(text, text.startsWith("name:")));
            assertThat(e.errors()).singleElement().satisfies(f -> {
                assertThat(f.pointer()).isEmpty();
                assertThat(f.message()).startsWith("malformed");
            });
        }
    }

    @Test
    void eventsRoundTripThroughTheCodec() {
        ExperimentSpec spec = parser.parse(README_SPEC, false);
        RunRequested req = RunRequested.of(UUID.randomUUID(), UUID.randomUUID(), spec);
        assertThat(EventCodec.decode(EventCodec.encode(req), RunRequested.class)).isEqualTo(req);
        RunEvent failed = new RunEvent.RunFailed(UUID.randomUUID(), "NaN loss at step 3");
        String wire = EventCodec.encode(failed);
        assertThat(wire).contains("\"type\":\"RunFailed\"");
        assertThat(EventCodec.decode(wire, RunEvent.class)).isEqualTo(failed);
    }
}
