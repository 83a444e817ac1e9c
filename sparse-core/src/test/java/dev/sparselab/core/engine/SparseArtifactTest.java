package dev.sparselab.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.SyntheticData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;
import dev.sparselab.core.train.TrainingLoop;
import dev.sparselab.core.train.TrainingResult;
import org.junit.jupiter.api.Test;

/**
 * A sparse-engine model stored at its active positions only (what a layer too large to store dense gets): its bytes
 * read back the same, and the evaluator measures it through the sparse engine's forward pass with the same accuracy,
 * loss, counts and costs as the same model stored dense and evaluated through DJL.
 */
class SparseArtifactTest {
    @Test
    void aModelStoredSparselyIsEvaluatedAsTheSameModelStoredDense() {
        ExperimentSpec spec = SparseEngineTest.spec("{\"method\": \"set\", \"target\": 0.9}", SparseEngineTest.SGD,
                "sparse", 2);
        Dataset train = SyntheticData.generate(11, true);
        TrainingResult sparse = new TrainingLoop(spec, () -> new SparseEngineModel(spec, train, p -> { }, 0),
                p -> { }, Device.cpu()).run();
        TrainingResult dense = new TrainingLoop(spec, () -> new SparseEngineModel(spec, train, p -> { }),
                p -> { }, Device.cpu()).run();
        ModelArtifact stored = ModelArtifact.fromBytes(sparse.artifact().toBytes());
        assertThat(stored.sparse()).containsOnlyKeys("fc1.weight", "fc2.weight", "fc3.weight");
        assertThat(stored.tensors()).containsOnlyKeys("fc1.bias", "fc2.bias", "fc3.bias");
        assertThat(stored.masks()).isEmpty();
        ModelArtifact.SparseTensor fc1 = stored.sparse().get("fc1.weight");
        assertThat(fc1.shape()).containsExactly(64, 32);
        assertThat(fc1.values()).isEqualTo(sparse.artifact().sparse().get("fc1.weight").values());
        assertThat(fc1.colIdx()).isEqualTo(sparse.artifact().sparse().get("fc1.weight").colIdx());
        // the dense-stored model's bytes are those of the layout before sparse storage existed (no "sparse" entry)
        assertThat(new String(dense.artifact().toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("\"sparse\":").contains("\"engine\":\"sparse\"");

        Dataset test = SyntheticData.generate(11, false);
        ModelEvaluator evaluator = new ModelEvaluator();
        Evaluation viaEngine = evaluator.evaluate(stored, test);
        Evaluation viaDjl = evaluator.evaluate(ModelArtifact.fromBytes(dense.artifact().toBytes()), test);
        assertThat(viaEngine.provenance().engine()).isEqualTo("SparseLab sparse engine");
        assertThat(viaEngine.testAccuracy()).isEqualTo(viaDjl.testAccuracy());
        assertThat(viaEngine.testLoss()).isCloseTo(viaDjl.testLoss(), within(1e-5));
        assertThat(viaEngine.nonZero()).isEqualTo(viaDjl.nonZero());
        assertThat(viaEngine.parameters()).isEqualTo(viaDjl.parameters());
        assertThat(viaEngine.sparsity()).isEqualTo(viaDjl.sparsity());
        assertThat(viaEngine.allWeights()).isEqualTo(viaDjl.allWeights());
        assertThat(viaEngine.cost()).isEqualTo(viaDjl.cost());
        for (int l = 0; l < 3; l++) {
            assertThat(viaEngine.layers().get(l).nonZero()).isEqualTo(viaDjl.layers().get(l).nonZero());
            assertThat(viaEngine.layers().get(l).activeShape()).isEqualTo(viaDjl.layers().get(l).activeShape());
        }
        for (int l = 0; l < 2; l++) {
            assertThat(viaEngine.activations().get(l).sparsity())
                    .isCloseTo(viaDjl.activations().get(l).sparsity(), within(1e-3));
        }
        assertThat(viaEngine.latency()).hasSize(2);
        viaEngine.latency().forEach(lat -> {
            assertThat(lat.layers()).hasSize(3);
            assertThat(lat.denseMs()).isPositive();
            assertThat(lat.sparseMs()).isPositive();
        });
    }
}
