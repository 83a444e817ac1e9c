package dev.sparselab.core;

import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.run.Trainers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.SyntheticData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.train.TrainingFailedException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class SparseTrainerTest {

    private static TrainingResult train(ExperimentSpec spec, List<MetricPoint> sink) {
        Dataset data = SyntheticData.generate(spec.training().seed(), true);
        return Trainers.forSpec(spec, data, sink::addAll).run();
    }

    private static Evaluation evaluate(TrainingResult r) {
        Dataset test = SyntheticData.generate(r.artifact().spec().training().seed(), false);
        return new ModelEvaluator().evaluate(ModelArtifact.fromBytes(r.artifact().toBytes()), test);
    }

    @Test
    void denseTrainingLearnsTheSyntheticTask() {
        List<MetricPoint> points = new ArrayList<>();
        TrainingResult r = train(Specs.synthetic("dense", 0, 2, 0.05), points);
        Evaluation e = evaluate(r);
        assertThat(e.testAccuracy()).isGreaterThan(0.9);
        assertThat(e.sparsity()).isLessThan(0.001);
        assertThat(points).filteredOn(p -> p.name().equals("train.loss")).extracting(MetricPoint::epoch)
                .containsExactly(1, 2);
        // the loss goes down from epoch 1 to 2
        List<Double> loss = points.stream().filter(p -> p.name().equals("train.loss")).map(MetricPoint::value).toList();
        assertThat(loss.get(1)).isLessThan(loss.get(0));
        assertThat(r.provenance().samplesPerSecond()).isPositive();
    }

    @Test
    void randomMaskIsExactAndHoldsThroughTraining() {
        TrainingResult r = train(Specs.synthetic("random", 0.8, 2, 0.05), new ArrayList<>());
        ModelArtifact a = r.artifact();
        assertThat(a.masks()).containsOnlyKeys("fc1.weight", "fc2.weight", "fc3.weight");
        int zeros = a.masks().values().stream().mapToInt(m -> m.size()).sum();
        zeros = 0;
        int total = 0;
        for (var e : a.masks().entrySet()) {
            int n = a.tensors().get(e.getKey()).data().length;
            zeros += n - e.getValue().cardinality();
            total += n;
            // every layer within one weight of 80% (the remainders go where they keep the total exact)
            assertThat((double) (n - e.getValue().cardinality())).isCloseTo(0.8 * n, within(1.0));
        }
        assertThat(zeros).isEqualTo(Math.round(0.8 * total));
        a.masks().forEach((name, mask) -> {
            float[] w = a.tensors().get(name).data();
            for (int i = 0; i < w.length; i++) {
                if (!mask.get(i)) {
                    assertThat(w[i]).as("masked weight %s[%d]", name, i).isZero();
                }
            }
        });
        Evaluation e = evaluate(r);
        assertThat(e.sparsity()).isCloseTo(0.8, within(0.001));
        assertThat(e.testAccuracy()).isGreaterThan(0.8);
    }

    @Test
    void magnitudePruningHitsTheTargetPerLayerAndKeepsTheLargestWeights() {
        TrainingResult r = train(Specs.synthetic("magnitude", 0.9, 1, 0.05), new ArrayList<>());
        Evaluation e = evaluate(r);
        for (Evaluation.LayerSparsity l : e.layers()) {
            assertThat((double) (l.parameters() - l.nonZero())).as(l.name()).isCloseTo(0.9 * l.parameters(),
                    within(1.0));
        }
        assertThat(e.parameters() - e.nonZero()).isEqualTo(Math.round(0.9 * e.parameters()));
        assertThat(e.sparsity()).isCloseTo(0.9, within(0.001));
        assertThat(e.testAccuracy()).isGreaterThan(0.8);
        BitSet mask = r.artifact().masks().get("fc1.weight");
        assertThat((double) mask.cardinality()).isCloseTo(64 * 32 * 0.1, within(1.0));
    }

    @Test
    void masksCanBeAppliedOnAThreadThatNeverTrainedBefore() throws Exception {
        // services train on listener threads, where PyTorch records autograd by default; the engine is
        // initialized (which switches recording off on the initializing thread only) on this one
        Engines.engine();
        ExecutorService fresh = Executors.newSingleThreadExecutor();
        try {
            TrainingResult r = fresh.submit(() -> train(Specs.synthetic("magnitude", 0.5, 1, 0.05),
                    new ArrayList<>())).get();
            assertThat(evaluate(r).sparsity()).isCloseTo(0.5, within(0.001));
            TrainingResult random = fresh.submit(() -> train(Specs.synthetic("random", 0.5, 1, 0.05),
                    new ArrayList<>())).get();
            assertThat(evaluate(random).sparsity()).isCloseTo(0.5, within(0.001));
        } finally {
            fresh.shutdownNow();
        }
    }

    @Test
    void theSameSeedGivesTheSameWeightsBitForBit() {
        ExperimentSpec spec = Specs.synthetic("random", 0.5, 1, 0.05);
        byte[] a = train(spec, new ArrayList<>()).artifact().toBytes();
        byte[] b = train(spec, new ArrayList<>()).artifact().toBytes();
        assertThat(ModelArtifact.sha256(a)).isEqualTo(ModelArtifact.sha256(b));
    }

    @Test
    void divergenceFailsTheRunWithAReason() {
        assertThatThrownBy(() -> train(Specs.synthetic("dense", 0, 1, 1e9), new ArrayList<>()))
                .isInstanceOf(TrainingFailedException.class)
                .hasMessageContaining("diverged");
    }
}
