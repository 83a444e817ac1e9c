package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.FieldError;
import dev.sparselab.contracts.spec.InitSpec;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.SpecParser;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Initialization, loss and normalization options: accepted as the references configure them, refused by field. */
class TrainingOptionsTest {
    final SpecParser parser = new SpecParser();

    static String spec(String dataset, String model, String training) {
        return """
                {"name": "x", "dataset": {"name": "fashion-mnist"%s}, "model": {"type": "mlp", "hidden": [32]%s},
                 "training": {"epochs": 1%s}}""".formatted(dataset, model, training);
    }

    List<String> pointers(String json) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(json, false));
        assertThat(e).as(json).isNotNull();
        return e.errors().stream().map(FieldError::pointer).toList();
    }

    @Test
    void aReferenceRecipeIsAcceptedWithItsDefaultsFilledIn() {
        ExperimentSpec s = parser.parse(spec(", \"normalize\": \"standardize\"",
                ", \"init\": {\"scheme\": \"normal\", \"std\": 0.1, \"bias\": \"zero\"}, "
                        + "\"layerInit\": {\"fc2\": {\"scheme\": \"kaiming-normal\", \"activeFanIn\": true}}",
                ", \"loss\": \"mse\", \"reduction\": \"sum-outputs\""), false);
        assertThat(s.model().initOf("fc1")).isEqualTo(new InitSpec("normal", 0.1, null, false, "zero"));
        assertThat(s.model().initOf("fc2")).isEqualTo(new InitSpec("kaiming-normal", null, null, true, "pytorch-default"));
        assertThat(s.training().reduction()).isEqualTo("sum-outputs");
        assertThat(s.dataset().normalize()).isEqualTo("standardize");
        ExperimentSpec smoothing = parser.parse(spec("", "", ", \"labelSmoothing\": 0.1"), false);
        assertThat(smoothing.training().labelSmoothing()).isEqualTo(0.1);
    }

    @Test
    void theDefaultsStayImplicitSoThatStoredSpecsKeepTheirHash() {
        String plain = spec("", "", "");
        String explicit = spec(", \"normalize\": \"global\"", "", ", \"loss\": \"mse\", \"reduction\": \"mean\"");
        JsonNode a = EventCodec.mapper().valueToTree(parser.parse(plain, false));
        JsonNode b = EventCodec.mapper().valueToTree(parser.parse(explicit, false));
        assertThat(a.get("dataset").has("normalize")).isFalse();
        assertThat(b.get("dataset").has("normalize")).isFalse();
        assertThat(b.get("training").has("reduction")).isFalse();
        assertThat(a.get("model").has("init")).isFalse();
        assertThat(parser.parse(plain, false).model().initOf("fc1")).isEqualTo(InitSpec.DEFAULT);
    }

    @Test
    void badOptionsAreNamedField_byField() {
        assertThat(pointers(spec("", ", \"init\": {\"scheme\": \"normal\"}", ""))).containsExactly("/model/init/std");
        assertThat(pointers(spec("", ", \"init\": {\"scheme\": \"kaiming-normal\", \"std\": 0.1}", "")))
                .containsExactly("/model/init/std");
        assertThat(pointers(spec("", ", \"init\": {\"scheme\": \"uniform\", \"limit\": 0.1, \"activeFanIn\": true}", "")))
                .containsExactly("/model/init/activeFanIn");
        assertThat(pointers(spec("", ", \"init\": {\"scheme\": \"he\"}", ""))).containsExactly("/model/init/scheme");
        assertThat(pointers(spec("", ", \"layerInit\": {\"fc9\": {\"scheme\": \"kaiming-normal\"}}", "")))
                .containsExactly("/model/layerInit/fc9");
        assertThat(pointers(spec("", ", \"layerInit\": {\"out\": {}}", ""))).containsExactly("/model/layerInit/out");
        assertThat(pointers(spec("", "", ", \"reduction\": \"sum-outputs\""))).containsExactly("/training/reduction");
        assertThat(pointers(spec("", "", ", \"loss\": \"mse\", \"labelSmoothing\": 0.1")))
                .containsExactly("/training/labelSmoothing");
        assertThat(pointers(spec("", "", ", \"labelSmoothing\": 1"))).containsExactly("/training/labelSmoothing");
        assertThat(pointers("""
                {"name": "x", "dataset": {"name": "synthetic", "normalize": "unit"}, "model": {"type": "mlp"},
                 "training": {"epochs": 1}}""")).containsExactly("/dataset/normalize");
        // options of the weight-sparse trainer only
        assertThat(pointers("""
                {"name": "x", "dataset": {"name": "fashion-mnist"},
                 "model": {"type": "mlp", "hidden": [32], "init": {"scheme": "kaiming-normal"}},
                 "training": {"epochs": 1, "algorithm": "forward-forward"}}""")).containsExactly("/model/init");
        assertThat(pointers("""
                {"name": "x", "dataset": {"name": "char-lm"}, "model": {"type": "transformer",
                 "init": {"scheme": "kaiming-normal"}}, "training": {"epochs": 1}}""")).containsExactly("/model/init");
    }

    static String sparse(String sparsity) {
        return """
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "model": {"type": "mlp", "hidden": [32]},
                 "training": {"epochs": 1}, "sparsity": %s}""".formatted(sparsity);
    }

    /** Wanda's N:M variant: n and m together, n below m; its sparsity is 1 - n/m. The same bound holds for nm. */
    @Test
    void nmGroupsAreCheckedForWandaAndNm() {
        ExperimentSpec wanda = parser.parse(sparse("{\"method\": \"wanda\", \"n\": 2, \"m\": 4}"), false);
        assertThat(wanda.sparsity().target()).isEqualTo(0.5);
        assertThat(pointers(sparse("{\"method\": \"wanda\", \"n\": 2}"))).containsExactly("/sparsity/m");
        assertThat(pointers(sparse("{\"method\": \"wanda\", \"n\": 4, \"m\": 4}"))).containsExactly("/sparsity/n");
        assertThat(pointers(sparse("{\"method\": \"nm\", \"n\": 5, \"m\": 4}"))).containsExactly("/sparsity/n");
        assertThat(pointers(sparse("{\"method\": \"wanda\", \"n\": 0, \"m\": 4}"))).containsExactly("/sparsity/n");
    }
    @Test
    void theSparseEngineIsChosenInTheSpecAndRefusedWhereItCannotTrain() {
        ExperimentSpec s = parser.parse("""
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "model": {"type": "mlp", "hidden": [32]},
                 "training": {"epochs": 1, "engine": "sparse"}, "sparsity": {"method": "set", "target": 0.9}}""",
                false);
        assertThat(s.training().sparseEngine()).isTrue();
        // the default stays implicit (stored specs keep their hash); the engine is part of what a run computes
        JsonNode plain = EventCodec.mapper().valueToTree(parser.parse(spec("", "", ", \"engine\": \"dense-masked\""),
                false));
        assertThat(plain.get("training").has("engine")).isFalse();
        ExperimentSpec masked = new ExperimentSpec(null, null, null, s.dataset(), s.model(),
                s.training().withEngine("dense-masked"), s.sparsity(), null);
        assertThat(masked.training().engine()).isNull();
        assertThat(s.content()).isNotEqualTo(masked.content());
        assertThat(pointers(spec("", "", ", \"engine\": \"fast\""))).containsExactly("/training/engine");
        assertThat(pointers("""
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "model": {"type": "lenet5"},
                 "training": {"epochs": 1, "engine": "sparse"}}""")).containsExactly("/training/engine");
        assertThat(pointers("""
                {"name": "x", "dataset": {"name": "fashion-mnist"},
                 "model": {"type": "mlp", "hidden": [32], "dropout": 0.2, "activation": "gelu"},
                 "training": {"epochs": 1, "engine": "sparse"},
                 "sparsity": {"method": "magnitude", "target": 0.9}}"""))
                .containsExactlyInAnyOrder("/sparsity/method", "/model/dropout", "/model/activation");
        // SRigL changes its structure in the sparse engine; SNFS grows by dense momentum, so it stays dense-masked
        String method = """
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "model": {"type": "mlp", "hidden": [32]},
                 "training": {"epochs": 1, "engine": "sparse"}, "sparsity": {"method": "%s", "target": 0.9}}""";
        assertThat(parser.parse(method.formatted("srigl"), false).training().sparseEngine()).isTrue();
        assertThat(pointers(method.formatted("snfs"))).containsExactly("/sparsity/method");
    }

    @Test
    void theSparseEngineIsLimitedByTheConnectionsItHolds() {
        String wide = """
                {"name": "x", "dataset": {"name": "fashion-mnist"}, "model": {"type": "mlp", "hidden": [32768, 32768]},
                 "training": {"epochs": 1, "engine": "%s"}, "sparsity": {"method": "set", "target": %s}}""";
        // 1,099,825,162 parameters dense; at 99% the sparse engine holds about 11 million of them
        ExperimentSpec accepted = parser.plan(wide.formatted("sparse", "0.99"), false).runs().get(0).spec();
        assertThat(dev.sparselab.contracts.spec.ModelSize.heldParameters(accepted)).isEqualTo(
                Math.round(0.01 * (784L * 32768 + 32768L * 32768 + 32768L * 10)) + 32768 + 32768 + 10);
        InvalidSpecException dense = catchThrowableOfType(InvalidSpecException.class,
                () -> parser.plan(wide.formatted("dense-masked", "0.99"), false));
        assertThat(dense.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .contains("has 1099825162 parameters"));
        InvalidSpecException tooDense = catchThrowableOfType(InvalidSpecException.class,
                () -> parser.plan(wide.formatted("sparse", "0.9"), false));
        assertThat(tooDense.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .contains("holds 110041508").contains("sparse engine"));
    }
}
