package dev.sparselab.core;

import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.run.Trainers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.eval.Cost;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FLOP counts and compressed sizes, checked against numbers worked out by hand. */
class CostTest {
    static final Path DATASETS = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));

    @Test
    void sizesOfOneSmallLayerByHand() {
        // 2 x 4 weight with 3 non-zeros: dense 8*4 + bias 2*4 = 40; CSR 3*4 + 3*4 + 3*4 + 8 = 44;
        // bitmask ceil(8/8) + 3*4 + 8 = 21
        Cost.LayerCost l = Cost.layer("fc1", 2, 4, 3, 1);
        assertThat(l.denseBytes()).isEqualTo(40);
        assertThat(l.csrBytes()).isEqualTo(44);
        assertThat(l.bitmaskBytes()).isEqualTo(21);
        assertThat(l.denseFlops()).isEqualTo(16);
        assertThat(l.sparseFlops()).isEqualTo(6);
        Cost c = Cost.of(List.of(l));
        assertThat(c.compressedFormat()).isEqualTo("bitmask");
        assertThat(c.compressedBytes()).isEqualTo(21);
        // very sparse: CSR wins (1000 x 1000, 100 non-zeros: CSR 800 + 4004 + 4000 < bitmask 125000 + 400 + 4000)
        assertThat(Cost.of(List.of(Cost.layer("big", 1000, 1000, 100, 1))).compressedFormat()).isEqualTo("csr");
    }

    static Evaluation trainAndEvaluate(ModelSpec model, SparsitySpec sparsity) {
        Required.that(Files.isDirectory(DATASETS.resolve("fashion-mnist")), "dataset-fashion-mnist not installed");
        ExperimentSpec spec = new ExperimentSpec("cost", new DatasetSpec(DatasetSpec.FASHION_MNIST, 500, 200), model,
                new TrainingSpec(1, 100, OptimizerSpec.sgd(0.05, 0.9), 3L), sparsity, null).withDefaults();
        DatasetCache cache = new DatasetCache(DATASETS);
        Dataset train = cache.get(spec.dataset(), 3, true);
        TrainingResult r = Trainers.forSpec(spec, train, p -> { }).run();
        return new ModelEvaluator().evaluate(r.artifact(), cache.get(spec.dataset(), 3, false));
    }

    @Test
    void lenet300FlopsByHand() {
        Evaluation e = trainAndEvaluate(new ModelSpec("mlp", List.of(300, 100), "relu"),
                SparsitySpec.of("magnitude", 0.9));
        // 2 * (784*300 + 300*100 + 100*10) = 532,400 dense; 2 * 26,620 non-zeros = 53,240 sparse
        assertThat(e.cost().denseFlops()).isEqualTo(532_400);
        assertThat(e.cost().sparseFlops()).isEqualTo(53_240);
        assertThat(e.cost().denseBytes()).isEqualTo(4 * 266_200 + 4 * 410);
        assertThat(e.nmCompliance()).isNull();
    }

    @Test
    void lenet5FlopsByHand() {
        Evaluation e = trainAndEvaluate(new ModelSpec("lenet5", null, "relu"), SparsitySpec.DENSE);
        // conv1: 6 filters, fan-in 1*5*5, 28*28 positions (padding 2): 2 * 25 * 6 * 784 = 235,200
        // conv2: 16 filters, fan-in 6*5*5, 10*10 positions: 2 * 150 * 16 * 100 = 480,000
        // fc1 400->120: 96,000; fc2 120->84: 20,160; fc3 84->10: 1,680
        List<Cost.LayerCost> layers = e.cost().layers();
        assertThat(layers).extracting(Cost.LayerCost::positions).containsExactly(784L, 100L, 1L, 1L, 1L);
        assertThat(layers).extracting(Cost.LayerCost::denseFlops)
                .containsExactly(235_200L, 480_000L, 96_000L, 20_160L, 1_680L);
        assertThat(e.cost().denseFlops()).isEqualTo(833_040);
        assertThat(e.cost().sparseFlops()).isEqualTo(e.cost().denseFlops());
    }

    @Test
    void topKMembershipAndProvenance() {
        float[] out = {0.1f, 0.9f, 0.3f, 0.8f, 0.2f, 0.7f, 0.6f, 0.0f, 0.5f, 0.4f, 0.05f, 0.01f};
        assertThat(ModelEvaluator.inTopK(out, 0, 12, 8, 5)).isTrue();   // 0.5 is the 5th largest
        assertThat(ModelEvaluator.inTopK(out, 0, 12, 9, 5)).isFalse();  // 0.4 is the 6th
        Evaluation e = trainAndEvaluate(new ModelSpec("mlp", List.of(16), "relu"), SparsitySpec.DENSE);
        assertThat(e.top5Accuracy()).isNull(); // 10 classes
        assertThat(e.provenance().testDatasetHash()).hasSize(64);
        assertThat(e.provenance().djlVersion()).isEqualTo("0.36.0");
        assertThat(e.provenance().engineVersion()).isEqualTo("2.7.1");
    }

    @Test
    void nmComplianceIsMeasuredOnTheCheckpoint() {
        Evaluation e = trainAndEvaluate(new ModelSpec("mlp", List.of(64), "relu"),
                EventCodec.decode("{\"method\": \"nm\", \"n\": 2, \"m\": 4}", SparsitySpec.class));
        assertThat(e.nmCompliance()).isEqualTo(1.0);
        // a layer kept dense on purpose is not an N:M layer: compliance counts the sparsified ones (it was 0.987 here)
        Evaluation lastDense = trainAndEvaluate(new ModelSpec("mlp", List.of(64), "relu"),
                EventCodec.decode("{\"method\": \"nm\", \"n\": 2, \"m\": 4, \"denseLayers\": [\"last\"]}",
                        SparsitySpec.class));
        assertThat(lastDense.nmCompliance()).isEqualTo(1.0);
        // sparsity is named for what it counts: over the sparsified layers it is exactly 2:4's 0.5 (it was 0.4969,
        // the dense last layer counted in); over all weight layers, the dense one lowers it
        assertThat(lastDense.sparsity()).isEqualTo(0.5);
        assertThat(lastDense.parameters()).isEqualTo(64 * 784);
        assertThat(lastDense.layers()).extracting(Evaluation.LayerSparsity::sparsified).containsExactly(true, false);
        assertThat(lastDense.allWeights().parameters()).isEqualTo(64 * 784 + 10 * 64);
        assertThat(lastDense.allWeights().nonZero()).isEqualTo(64 * 784 / 2 + lastDense.layers().get(1).nonZero());
        assertThat(lastDense.allWeights().sparsity()).isLessThan(0.5);
        assertThat(e.allWeights()).isEqualTo(Evaluation.WeightCount.of(e.parameters(), e.nonZero()));
        float[] w = {1, 0, 2, 0, 3, 4, 5, 0};
        assertThat(ModelEvaluator.nmCompliance(w, 8, 2, 4)).isEqualTo(0.5);
        assertThat(ModelEvaluator.nmCompliance(w, 4, 3, 4)).isEqualTo(1.0);
    }
}
