package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.FieldError;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.MagnitudeSpec;
import dev.sparselab.contracts.spec.RiglSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.SpecParser;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
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
    void schedulingFieldsAreReadAndLeftOutOfTheContent() {
        ExperimentSpec plain = parser.parse(README_SPEC, false);
        ExperimentSpec scheduled = parser.parse(README_SPEC.replace("{\"name\": \"lenet-300-100 magnitude 90%\",",
                "{\"priority\": \"high\", \"force\": true, \"name\": \"another name\",")
                .replace("\"seed\": 42}", "\"seed\": 42, \"checkpointEvery\": 2}"), false);
        assertThat(plain.priority()).isEqualTo("normal");
        assertThat(scheduled.priority()).isEqualTo("high");
        assertThat(scheduled.priorityRank()).isEqualTo(2);
        assertThat(scheduled.force()).isTrue();
        assertThat(scheduled.training().checkpointEvery()).isEqualTo(2);
        assertThat(plain.training().checkpointEvery()).isEqualTo(1);
        assertThat(EventCodec.encode(scheduled.content())).isEqualTo(EventCodec.encode(plain.content()));
        InvalidSpecException bad = catchThrowableOfType(InvalidSpecException.class,
                () -> parser.parse(README_SPEC.replaceFirst("\\{\"name\"", "{\"priority\": \"urgent\", \"name\""), false));
        assertThat(bad.errors()).extracting(FieldError::pointer).containsExactly("/priority");
    }

    @Test
    void readsTheReadmeSpecAndFillsDefaults() {
        ExperimentSpec spec = parser.parse(README_SPEC, false);
        assertThat(spec.model().hidden()).containsExactly(300, 100);
        assertThat(spec.training().seed()).isEqualTo(42L);
        assertThat(spec.training().optimizer().weightDecay()).isEqualTo(0.0);
        assertThat(spec.sparsity().target()).isEqualTo(0.9);
        assertThat(((MagnitudeSpec) spec.sparsity()).finetuneEpochs()).isEqualTo(1);
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
    void eachMethodAcceptsOnlyItsOwnParameters() {
        String bad = """
                {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp"}, "training": {"epochs": 1},
                 "sparsity": {"method": "rigl", "target": 0.9, "zeta": 0.3, "deltaT": 0}}
                """;
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(bad, false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/sparsity/deltaT", "/sparsity/zeta");
        assertThat(e.errors().get(1).message()).contains("not a parameter of sparsity method 'rigl'");
    }

    @Test
    void methodDefaultsAreThePublishedOnes() {
        JsonNode defs = parser.schema().get("$defs");
        for (String method : SparsitySpec.names()) {
            String spec = """
                    {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp"}, "training": {"epochs": 1},
                     "sparsity": {"method": "%s", "target": 0.5}}""".formatted(method);
            JsonNode resolved = EventCodec.mapper().valueToTree(parser.parse(spec, false).sparsity());
            defs.get("method-" + method).get("properties").properties().forEach(p -> {
                JsonNode published = p.getValue().get("default");
                if (published != null) {
                    JsonNode actual = resolved.get(p.getKey());
                    if (published.isNumber()) {
                        assertThat(actual.asDouble()).as(method + "." + p.getKey()).isEqualTo(published.asDouble());
                    } else {
                        assertThat(actual).as(method + "." + p.getKey()).isEqualTo(published);
                    }
                }
            });
        }
        ExperimentSpec rigl = parser.parse("""
                {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp"}, "training": {"epochs": 1},
                 "sparsity": {"method": "rigl", "target": 0.9}}""", false);
        assertThat(rigl.sparsity().distribution()).isEqualTo("erk");
        assertThat(rigl.sparsity()).isInstanceOf(RiglSpec.class);
        assertThat(((RiglSpec) rigl.sparsity()).deltaT()).isEqualTo(100);
        assertThat(EventCodec.mapper().valueToTree(rigl.sparsity()).has("zeta")).isFalse();
    }

    /**
     * The schema is written by hand for its descriptions and bounds; the sealed spec type is the truth about
     * which methods exist and what each takes. The two must list the same methods, in the same order, and a
     * method's schema parameters must be exactly its record's own components.
     */
    @Test
    void theSchemaListsExactlyTheSealedMethodsAndTheirParameters() {
        JsonNode sparsity = parser.schema().get("properties").get("sparsity");
        List<String> published = new ArrayList<>();
        sparsity.get("properties").get("method").get("enum").forEach(n -> published.add(n.asString()));
        assertThat(published).isEqualTo(SparsitySpec.names());
        Set<String> common = new HashSet<>();
        sparsity.get("properties").properties().forEach(e -> common.add(e.getKey()));
        JsonNode defs = parser.schema().get("$defs");
        for (Class<?> record : SparsitySpec.class.getPermittedSubclasses()) {
            String method = record.getAnnotation(com.fasterxml.jackson.annotation.JsonTypeName.class).value();
            Set<String> own = new TreeSet<>();
            for (RecordComponent c : record.getRecordComponents()) {
                if (!common.contains(c.getName())) {
                    own.add(c.getName());
                }
            }
            Set<String> schema = new TreeSet<>();
            defs.get("method-" + method).get("properties").properties().forEach(e -> schema.add(e.getKey()));
            assertThat(schema).as(method).isEqualTo(own);
        }
    }

    @Test
    void aSpecReadsBackAsTheSameRecord() {
        for (String method : SparsitySpec.names()) {
            SparsitySpec spec = SparsitySpec.of(method, 0.5).withDefaults();
            assertThat(spec.method()).isEqualTo(method);
            String json = EventCodec.encode(spec);
            assertThat(json).startsWith("{\"method\":\"" + method + "\"");
            assertThat(EventCodec.decode(json, SparsitySpec.class)).isEqualTo(spec);
        }
    }

    @Test
    void theCatalogPublishesEveryMethodWithItsParametersAndDefaults() {
        JsonNode catalog = dev.sparselab.contracts.spec.Catalog.build(parser.schema());
        List<String> names = new java.util.ArrayList<>();
        catalog.get("methods").forEach(m -> names.add(m.get("name").asString()));
        assertThat(names).containsExactly("dense", "random", "magnitude", "gmp", "imp", "wanda", "l1", "group-lasso",
                "set", "rigl", "snfs", "nm", "neuron", "channel", "srigl", "topk-activation", "relu-threshold");
        JsonNode rigl = catalog.get("methods").get(9).get("schema").get("properties");
        assertThat(rigl.get("deltaT").get("default").asInt()).isEqualTo(100);
        assertThat(rigl.get("alpha").get("default").asDouble()).isEqualTo(0.3);
        assertThat(rigl.has("target")).isTrue();
        assertThat(rigl.has("zeta")).isFalse();
        assertThat(catalog.get("distributions")).hasSize(3);
        assertThat(catalog.get("datasets")).hasSize(4);
        // the initialization, loss and normalization options, with their defaults, self-contained (no $ref)
        JsonNode init = catalog.get("models").get(0).get("schema").get("properties").get("init");
        assertThat(init.get("properties").get("scheme").get("default").asString()).isEqualTo("pytorch-default");
        assertThat(init.get("properties").get("bias").get("default").asString()).isEqualTo("pytorch-default");
        assertThat(catalog.get("models").get(0).get("schema").get("properties").get("layerInit")
                .get("additionalProperties").get("properties").has("activeFanIn")).isTrue();
        assertThat(catalog.get("training").get("properties").get("reduction").get("default").asString())
                .isEqualTo("mean");
        assertThat(catalog.get("training").get("properties").get("labelSmoothing").get("default").asDouble()).isZero();
        assertThat(catalog.get("datasetSchema").get("properties").get("normalize").get("default").asString())
                .isEqualTo("global");
        assertThat(catalog.get("models").toString() + catalog.get("training") + catalog.get("datasetSchema"))
                .doesNotContain("$ref");
    }

    @Test
    void aSweepExpandsToTheGridTimesTheSeeds() {
        List<dev.sparselab.contracts.spec.PlannedRun> runs = parser.plan("""
                name: sweep
                dataset: {name: synthetic}
                model: {type: mlp}
                training: {epochs: 1}
                sparsity: {method: rigl, target: 0.5}
                sweep:
                  grid: {sparsity.target: [0.8, 0.9], training.optimizer.learningRate: [0.1, 0.01, 0.001]}
                  seeds: [1, 2]
                """, true).runs();
        assertThat(runs).hasSize(12);
        assertThat(runs).extracting(r -> r.spec().sparsity().target())
                .containsExactly(0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9);
        assertThat(runs).extracting(dev.sparselab.contracts.spec.PlannedRun::seed)
                .containsExactly(1L, 2L, 1L, 2L, 1L, 2L, 1L, 2L, 1L, 2L, 1L, 2L);
        assertThat(runs.get(2).spec().training().optimizer().learningRate()).isEqualTo(0.01);
        assertThat(runs.get(2).gridPoint().keySet()).containsExactly("sparsity.target",
                "training.optimizer.learningRate");
        assertThat(runs.get(0).spec().sweep()).isNull();
        assertThat(((RiglSpec) runs.get(0).spec().sparsity()).deltaT()).isEqualTo(100);
    }

    @Test
    void aGridValueThatMakesARunInvalidIsReportedAtTheGrid() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan("""
                {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp"}, "training": {"epochs": 1},
                 "sparsity": {"method": "rigl", "target": 0.5, "deltaT": 50},
                 "sweep": {"grid": {"sparsity.method": ["rigl", "set"], "sparsity.target": [0.5, 1.5]}}}""", false));
        assertThat(e.errors()).extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/sweep/grid", "/sweep/grid/sparsity.target");
        assertThat(e.errors().toString()).contains("deltaT").contains("set");
        InvalidSpecException tooMany = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan("""
                {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp"}, "training": {"epochs": 1},
                 "sweep": {"seeds": [%s], "grid": {"training.epochs": [%s]}}}""".formatted(
                String.join(",", java.util.stream.IntStream.range(0, 100).mapToObj(String::valueOf).toList()),
                String.join(",", java.util.stream.IntStream.range(1, 12).mapToObj(String::valueOf).toList())), false));
        assertThat(tooMany.errors()).singleElement().satisfies(f -> assertThat(f.message()).contains("1100 runs"));
    }

    @Test
    void convModelsNeedAnImageDataset() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse("""
                {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "lenet5"}, "training": {"epochs": 1}}
                """, false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/dataset/name");
        ExperimentSpec cnn = parser.parse("""
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "training": {"epochs": 1},
                 "model": {"type": "cnn", "layers": [{"type": "conv", "channels": 8}, {"type": "pool"},
                                                     {"type": "linear", "units": 32}]}}
                """, false);
        assertThat(cnn.model().layers().get(0).kernel()).isEqualTo(3);
        assertThat(cnn.model().layers().get(1).size()).isEqualTo(2);
        InvalidSpecException missing = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse("""
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "training": {"epochs": 1},
                 "model": {"type": "cnn", "layers": [{"type": "conv"}]}}
                """, false));
        assertThat(missing.errors()).extracting(FieldError::pointer).contains("/model/layers/0/channels");
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
