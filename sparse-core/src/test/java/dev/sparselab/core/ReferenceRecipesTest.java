package dev.sparselab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.run.Trainers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A paper recipe written as a spec: SET on Fashion-MNIST as its reference code configures it (MLP
 * 784-1000-1000-1000-10, ReLU, sigmoid output, MSE, 2,000 training images, batch 40, SGD 0.05 / momentum 0.9 /
 * weight decay 2e-4, dropout 0.2, Erdos-Renyi at about 97% sparsity). With PyTorch's default initialization and
 * DJL's mean-reduced MSE the signal vanishes and the network stays at chance; with the reference code's choices
 * (weights N(0, 0.1²), zero biases, squared error summed over the outputs, per-pixel standardized inputs) it learns.
 */
class ReferenceRecipesTest {
    static final Path DATASETS = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));
    static final int EPOCHS = 3;

    static String recipe(String init, String reduction, String normalize) {
        return """
                {"name": "set-fashion-mnist", "dataset": {"name": "fashion-mnist", "trainSubset": 2000%s},
                 "model": {"type": "mlp", "hidden": [1000, 1000, 1000], "activation": "relu",
                           "outputActivation": "sigmoid", "dropout": 0.2%s},
                 "training": {"epochs": %d, "batchSize": 40, "seed": 3, "loss": "mse"%s,
                              "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9, "weightDecay": 0.0002}},
                 "sparsity": {"method": "set", "target": 0.97, "distribution": "er", "zeta": 0.3}}"""
                .formatted(normalize == null ? "" : ", \"normalize\": \"" + normalize + "\"",
                        init == null ? "" : ", \"init\": " + init, EPOCHS,
                        reduction == null ? "" : ", \"reduction\": \"" + reduction + "\"");
    }

    static List<Double> trainAccuracy(String json) {
        Required.that(Files.isDirectory(DATASETS.resolve("fashion-mnist")), "dataset-fashion-mnist not installed");
        ExperimentSpec spec = new SpecParser().parse(json, false);
        Dataset train = new DatasetCache(DATASETS).get(spec.dataset(), spec.training().seed(), true);
        List<MetricPoint> points = new ArrayList<>();
        Trainers.weightSparse(spec, train, points::addAll, (state, step) -> { }).run();
        return points.stream().filter(p -> p.name().equals("train.accuracy")).map(MetricPoint::value).toList();
    }

    @Test
    void setWithTheReferenceInitializationAndLossLearnsWhereTheDefaultsStayAtChance() {
        List<Double> reference = trainAccuracy(recipe(
                "{\"scheme\": \"normal\", \"std\": 0.1, \"bias\": \"zero\"}", "sum-outputs", "standardize"));
        List<Double> defaults = trainAccuracy(recipe(null, null, null));
        assertThat(reference).hasSize(EPOCHS);
        // chance is 0.1; measured (seed 3): reference 0.196, 0.361, 0.473 over three epochs, defaults 0.099-0.105
        assertThat(reference.get(EPOCHS - 1)).as("reference recipe %s, defaults %s", reference, defaults)
                .isGreaterThan(0.35);
        assertThat(defaults.get(EPOCHS - 1)).as("defaults (today's behaviour): %s", defaults).isLessThan(0.2);
    }

    @Test
    void standardizedPixelsHaveTheTrainingSplitsMeanAndDeviation() {
        Required.that(Files.isDirectory(DATASETS.resolve("fashion-mnist")), "dataset-fashion-mnist not installed");
        DatasetCache cache = new DatasetCache(DATASETS);
        Dataset train = cache.get(new DatasetSpec("fashion-mnist", null, null, null, null, null, "standardize"), 1, true);
        Dataset unit = cache.get(new DatasetSpec("fashion-mnist", null, 100, null, null, null, "unit"), 1, false);
        int dim = train.featureDim();
        int pixel = 14 * 28 + 14; // the centre
        double s = 0;
        double sq = 0;
        for (int r = 0; r < train.size(); r++) {
            double v = train.features()[r * dim + pixel];
            s += v;
            sq += v * v;
        }
        assertThat(s / train.size()).isCloseTo(0, within(1e-3));
        assertThat(Math.sqrt(sq / train.size())).isCloseTo(1, within(1e-3));
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : unit.features()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isGreaterThanOrEqualTo(-1e-6f);
        assertThat(max).isLessThanOrEqualTo(1f + 1e-6f).isGreaterThan(0.9f);
        assertThat(unit.hash()).isNotEqualTo(cache.get(new DatasetSpec("fashion-mnist", null, 100), 1, false).hash());
    }
}
