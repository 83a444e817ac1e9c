package dev.sparselab.core.sparsity;

import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.run.Trainers;
import dev.sparselab.core.Required;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.LayerSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.data.SyntheticData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Conv models: LeNet-5 and a configurable CNN, with masks over conv kernels. */
class ConvModelsTest {
    static final Path DATASETS = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));

    static ExperimentSpec spec(ModelSpec model, String sparsityJson) {
        return new ExperimentSpec("conv", new DatasetSpec(DatasetSpec.FASHION_MNIST, 2000, 500), model,
                new TrainingSpec(2, 64, OptimizerSpec.sgd(0.05, 0.9), 5L),
                EventCodec.decode(sparsityJson, SparsitySpec.class), null).withDefaults();
    }

    record Trained(TrainingResult result, Evaluation evaluation, List<String> violations) {
    }

    static Trained train(ExperimentSpec spec) {
        Required.that(Files.isDirectory(DATASETS.resolve("fashion-mnist")), "dataset-fashion-mnist not installed");
        DatasetCache cache = new DatasetCache(DATASETS);
        Dataset train = cache.get(spec.dataset(), 5, true);
        Dataset test = cache.get(spec.dataset(), 5, false);
        List<String> violations = new ArrayList<>();
        TrainingResult r = Trainers.weightSparse(spec, train, p -> { }, (state, step) ->
                state.masks().forEach((layer, mask) -> {
                    float[] w = state.weights(layer);
                    for (int i = 0; i < w.length; i++) {
                        if (mask[i] == 0f && w[i] != 0f) {
                            violations.add(layer + " at step " + step);
                            return;
                        }
                    }
                })).run();
        return new Trained(r, new ModelEvaluator().evaluate(r.artifact(), test), violations);
    }

    /**
     * N:M on a conv kernel groups m consecutive input channels at each kernel position (SR-STE's and ASP's
     * hardware pattern); it used to group consecutive kernel positions, which a channel-wise check rejects.
     */
    @Test
    void nmOnConvGroupsAlongInputChannels() {
        ModelSpec cnn = new ModelSpec("cnn", null, "relu", null, null,
                List.of(LayerSpec.conv(8, 3, 1), LayerSpec.pool(2), LayerSpec.conv(8, 3, 1), LayerSpec.pool(2),
                        LayerSpec.linear(32)));
        Trained t = train(spec(cnn, "{\"method\": \"nm\", \"n\": 2, \"m\": 4, \"denseLayers\": [\"conv1\"]}"));
        float[] w = t.result().artifact().tensors().get("conv2.weight").data();
        assertThat(t.result().artifact().tensors().get("conv2.weight").shape()).containsExactly(8, 8, 3, 3);
        assertThat(ModelEvaluator.nmCompliance(w, 8, 9, 2, 4)).isEqualTo(1.0);
        // exactly 2 of each 4 channels at every (output, kernel position)
        for (int o = 0; o < 8; o++) {
            for (int k = 0; k < 9; k++) {
                for (int g = 0; g < 8; g += 4) {
                    int nz = 0;
                    for (int j = 0; j < 4; j++) {
                        nz += w[o * 72 + (g + j) * 9 + k] != 0f ? 1 : 0;
                    }
                    assertThat(nz).as("out %d position %d channels %d..", o, k, g).isEqualTo(2);
                }
            }
        }
        assertThat(t.evaluation().nmCompliance()).isEqualTo(1.0);
        assertThat(t.evaluation().layers().get(0).sparsified()).isFalse();
        // a conv whose input channels are not a multiple of m is refused, naming the channels
        assertThatThrownBy(() -> train(spec(cnn, "{\"method\": \"nm\", \"n\": 2, \"m\": 4}")))
                .hasMessageContaining("conv1 has 1 input channels, not a multiple of m = 4");
        // the channel-wise check: one kernel-position-wise 2:4 pattern breaks it
        float[] byPosition = new float[8 * 4];
        for (int c = 0; c < 8; c++) {
            byPosition[c * 4] = 1f;
            byPosition[c * 4 + 1] = 1f;
        }
        assertThat(ModelEvaluator.nmCompliance(byPosition, 4, 1, 2, 4)).isEqualTo(1.0);
        // read channel-wise, kernel positions 0 and 1 hold 4 of 4 in every channel group (positions 2, 3: none)
        assertThat(ModelEvaluator.nmCompliance(byPosition, 8, 4, 2, 4)).isEqualTo(0.5);
    }

    @Test
    void lenet5IsSparsifiedIncludingItsConvKernels() {
        Trained t = train(spec(new ModelSpec("lenet5", null, "relu"), "{\"method\": \"magnitude\", \"target\": 0.8}"));
        assertThat(t.violations()).isEmpty();
        Evaluation e = t.evaluation();
        assertThat(e.layers()).extracting(Evaluation.LayerSparsity::name)
                .containsExactly("conv1", "conv2", "fc1", "fc2", "fc3");
        assertThat(e.layers().get(0).shape()).containsExactly(6, 1, 5, 5);
        assertThat(e.layers().get(1).shape()).containsExactly(16, 6, 5, 5);
        assertThat(e.layers().get(2).shape()).containsExactly(120, 400);
        for (Evaluation.LayerSparsity l : e.layers()) {
            assertThat(l.sparsity()).as(l.name()).isCloseTo(0.8, within(1.0 / l.parameters() + 1e-9));
        }
        assertThat(e.parameters() - e.nonZero()).isEqualTo(Math.round(0.8 * e.parameters()));
        assertThat(e.testAccuracy()).isGreaterThan(0.6);
    }

    @Test
    void erkCountsKernelDimensions() {
        List<LayerShape> layers = List.of(new LayerShape("conv1", new int[]{6, 1, 5, 5}),
                new LayerShape("fc1", new int[]{120, 400}));
        // at 0.99 no layer is capped: density_l = eps * sum(dims) / prod(dims), kernel dims included
        Map<String, Double> d = Distributions.densities(layers, 0.99, "erk", Set.of());
        double rawConv = (6 + 1 + 5 + 5) / 150.0;
        double rawFc = (120 + 400) / 48_000.0;
        assertThat(d.get("conv1") / d.get("fc1")).isCloseTo(rawConv / rawFc, within(1e-9));
    }

    @Test
    void channelPruningRemovesWholeFiltersAndTheirInputsDownstream() {
        ModelSpec cnn = new ModelSpec("cnn", null, "relu", null, null,
                List.of(LayerSpec.conv(8, 3, 1), LayerSpec.pool(2), LayerSpec.conv(8, 3, 1), LayerSpec.pool(2),
                        LayerSpec.linear(32)));
        Trained t = train(spec(cnn, "{\"method\": \"channel\", \"target\": 0.5}"));
        assertThat(t.violations()).isEmpty();
        Evaluation e = t.evaluation();
        // 4 of 8 filters of each conv remain; conv2 sees 4 live input channels; fc1 sees 4 of 8 feature maps
        assertThat(e.layers().get(0).activeShape()).containsExactly(4, 9);
        assertThat(e.layers().get(1).activeShape()).containsExactly(4, 4 * 9);
        assertThat(e.layers().get(2).activeShape()).containsExactly(16, 4 * 7 * 7);
        assertThat(e.testAccuracy()).isGreaterThan(0.5);
    }

    @Test
    void rigLRunsOnAConvNet() {
        ModelSpec cnn = new ModelSpec("cnn", null, "relu", null, null,
                List.of(LayerSpec.conv(8, 3, 1), LayerSpec.pool(2), LayerSpec.linear(32)));
        Trained t = train(spec(cnn, "{\"method\": \"rigl\", \"target\": 0.7, \"deltaT\": 10}"));
        assertThat(t.violations()).isEmpty();
        assertThat(t.result().artifact().masks()).containsKeys("conv1.weight", "fc1.weight", "fc2.weight");
        assertThat(t.evaluation().testAccuracy()).isGreaterThan(0.5);
    }

    @Test
    void convModelsNeedImages() {
        ExperimentSpec spec = new ExperimentSpec("x", new DatasetSpec(DatasetSpec.SYNTHETIC, null, null),
                new ModelSpec("lenet5", null, "relu"), new TrainingSpec(1, 64, OptimizerSpec.sgd(0.05, 0.9), 1L),
                SparsitySpec.DENSE, null).withDefaults();
        assertThatThrownBy(() -> Trainers.forSpec(spec, SyntheticData.generate(1, true), p -> { }).run())
                .hasMessageContaining("needs square images");
    }
}
