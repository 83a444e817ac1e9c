package dev.sparselab.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.SyntheticData;
import dev.sparselab.core.run.Trainers;
import dev.sparselab.core.train.Resumption;
import dev.sparselab.core.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sparse engine against the masked-dense engine on the same spec and seed: the same masks after every change of
 * structure, and weights equal to float rounding (the engines sum in different orders) after every step of the run;
 * and a sparse-engine run resumed from a checkpoint equals the uninterrupted run bit for bit.
 */
class SparseEngineTest {
    private static final SpecParser PARSER = new SpecParser();
    /** Largest |difference| of a weight or bias between the two engines after the whole run (weights are ~0.1). */
    static final float TOLERANCE = 2e-5f;

    static ExperimentSpec spec(String sparsity, String optimizer, String engine, int epochs) {
        return spec(sparsity, optimizer, engine, epochs, "relu");
    }

    static ExperimentSpec spec(String sparsity, String optimizer, String engine, int epochs, String activation) {
        return PARSER.parse("""
                {"name": "engines", "dataset": {"name": "synthetic"},
                 "model": {"type": "mlp", "hidden": [64, 32], "activation": "%s"},
                 "training": {"epochs": %d, "batchSize": 64, "seed": 11, "optimizer": %s, "engine": "%s"},
                 "sparsity": %s}""".formatted(activation, epochs, optimizer, engine, sparsity), false);
    }

    static final String SGD = "{\"type\": \"sgd\", \"learningRate\": 0.05, \"momentum\": 0.9}";

    private static Dataset data() {
        return SyntheticData.generate(11, true);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "{\"method\": \"dense\"}|" + SGD + "|relu",
        "{\"method\": \"random\", \"target\": 0.9}|" + SGD + "|relu",
        "{\"method\": \"set\", \"target\": 0.8}|" + SGD + "|relu",
        "{\"method\": \"rigl\", \"target\": 0.8, \"deltaT\": 10}|" + SGD + "|relu",
        "{\"method\": \"rigl\", \"target\": 0.9, \"deltaT\": 5}|{\"type\": \"adam\", \"learningRate\": 0.002}|relu",
        "{\"method\": \"set\", \"target\": 0.9, \"distribution\": \"erk\"}|{\"type\": \"sgd\", \"learningRate\": 0.05, \"momentum\": 0.9, \"nesterov\": true, \"weightDecay\": 0.0005}|relu",
        "{\"method\": \"srigl\", \"target\": 0.9, \"deltaT\": 5, \"gammaSal\": 0.9}|" + SGD + "|relu",
        "{\"method\": \"srigl\", \"target\": 0.9, \"deltaT\": 5, \"gammaSal\": 0.9}|{\"type\": \"sgd\", \"learningRate\": 0.05, \"momentum\": 0.9, \"weightDecay\": 0.001}|tanh",
        "{\"method\": \"srigl\", \"target\": 0.8, \"deltaT\": 10, \"distribution\": \"uniform\", \"gammaSal\": 0.95}|{\"type\": \"adam\", \"learningRate\": 0.002}|sigmoid"
    })
    void trainsTheSameWeightsAsTheMaskedDenseEngine(String sparsity, String optimizer, String activation) {
        List<MetricPoint> densePoints = new ArrayList<>();
        List<MetricPoint> sparsePoints = new ArrayList<>();
        TrainingResult dense = Trainers.forSpec(spec(sparsity, optimizer, "dense-masked", 3, activation), data(),
                densePoints::addAll).run();
        TrainingResult sparse = Trainers.forSpec(spec(sparsity, optimizer, "sparse", 3, activation), data(),
                sparsePoints::addAll).run();
        ModelArtifact a = dense.artifact();
        ModelArtifact b = sparse.artifact();
        assertThat(b.masks()).isEqualTo(a.masks());
        assertThat(b.tensors().keySet()).isEqualTo(a.tensors().keySet());
        float worst = 0;
        for (String name : a.tensors().keySet()) {
            float[] x = a.tensors().get(name).data();
            float[] y = b.tensors().get(name).data();
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        assertThat(worst).as("largest weight difference").isLessThanOrEqualTo(TOLERANCE);
        // the same mask changes reported at the same steps
        assertThat(names(sparsePoints, "mask.")).isEqualTo(names(densePoints, "mask."));
        assertThat(names(sparsePoints, "srigl.")).isEqualTo(names(densePoints, "srigl."));
        if (sparsity.contains("srigl")) { // neurons were ablated (their biases held at zero) and came back
            assertThat(densePoints).anyMatch(p -> p.name().equals("srigl.fc1.neurons") && p.value() < 64);
        }
        assertThat(sparse.provenance().trainingFlops()).isEqualTo(dense.provenance().trainingFlops());
        assertThat(sparse.provenance().engine()).isEqualTo("SparseLab sparse engine");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"method\": \"set\", \"target\": 0.8}|" + SGD,
        "{\"method\": \"rigl\", \"target\": 0.9, \"deltaT\": 5}|{\"type\": \"adam\", \"learningRate\": 0.002}",
        "{\"method\": \"srigl\", \"target\": 0.9, \"deltaT\": 5, \"gammaSal\": 0.9}|" + SGD
    })
    void resumedRunEqualsTheUninterruptedRunBitForBit(String sparsity, String optimizer) {
        Resumption.assertResumesExactly(spec(sparsity, optimizer, "sparse", 3), data());
    }

    private static List<String> names(List<MetricPoint> points, String prefix) {
        return points.stream().filter(p -> p.name().startsWith(prefix))
                .map(p -> p.name() + "@" + p.step() + "=" + (p.name().endsWith("iou") ? Math.round(p.value() * 1e6)
                        : p.value())).toList();
    }
}
