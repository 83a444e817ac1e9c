package dev.sparselab.core.sparsity;

import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.train.StepObserver;
import dev.sparselab.core.run.Trainers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.core.Specs;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.SyntheticData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Invariants of nm, neuron/channel, l1, group-lasso, imp, snfs and wanda on real (synthetic-data) runs. */
class MoreMethodsTest {
    static final int STEPS_PER_EPOCH = MethodsTest.STEPS_PER_EPOCH;

    static MethodsTest.Run train(String sparsityJson, int epochs) {
        return MethodsTest.train(Specs.synthetic(MethodsTest.sparsity(sparsityJson), epochs));
    }

    static float[] tensor(MethodsTest.Run run, String name) {
        return run.result().artifact().tensors().get(name).data();
    }

    @Test
    void nmCheckpointsObeyNmInEveryGroupWithBothRecipes() {
        for (String recipe : List.of("srste", "decay")) {
            MethodsTest.Run run = train("{\"method\": \"nm\", \"n\": 2, \"m\": 4, \"recipe\": \"" + recipe + "\"}", 2);
            ModelArtifact a = run.result().artifact();
            assertThat(a.spec().sparsity().target()).isEqualTo(0.5);
            for (String layer : List.of("fc1", "fc2", "fc3")) {
                float[] w = tensor(run, layer + ".weight");
                int in = (int) a.tensors().get(layer + ".weight").shape()[1];
                assertThat(dev.sparselab.core.eval.ModelEvaluator.nmCompliance(w, in, 2, 4)).as("%s %s", recipe, layer).isEqualTo(1.0);
                assertThat(Masks.countZeros(w)).as("%s %s", recipe, layer).isEqualTo(w.length / 2);
            }
            assertThat(run.evaluate().testAccuracy()).as(recipe).isGreaterThan(0.8);
        }
    }

    @Test
    void nmComplianceDetectsAViolatingGroup() {
        float[] w = {1, 0, 2, 0, 3, 4, 5, 0};
        assertThat(dev.sparselab.core.eval.ModelEvaluator.nmCompliance(w, 8, 2, 4)).isEqualTo(0.5);
    }

    static void assertWholeNeuronsRemoved(MethodsTest.Run run, double fraction) {
        ModelArtifact a = run.result().artifact();
        assertThat(run.violations()).isEmpty();
        for (String[] pair : new String[][]{{"fc1", "fc2"}, {"fc2", "fc3"}}) {
            long[] shape = a.tensors().get(pair[0] + ".weight").shape();
            int out = (int) shape[0];
            int in = (int) shape[1];
            float[] w = tensor(run, pair[0] + ".weight");
            float[] b = tensor(run, pair[0] + ".bias");
            float[] next = tensor(run, pair[1] + ".weight");
            int nextIn = out;
            int removed = 0;
            for (int r = 0; r < out; r++) {
                boolean rowZero = true;
                for (int c = 0; c < in; c++) {
                    rowZero &= w[r * in + c] == 0f;
                }
                if (rowZero) {
                    removed++;
                    assertThat(b[r]).as("bias of removed %s neuron %d", pair[0], r).isZero();
                    for (int k = 0; k < next.length / nextIn; k++) {
                        assertThat(next[k * nextIn + r]).isZero();
                    }
                }
            }
            assertThat(removed).as(pair[0]).isEqualTo((int) Math.round(fraction * out));
        }
        // the classes are never removed
        float[] out = tensor(run, "fc3.weight");
        for (int r = 0; r < 10; r++) {
            float sum = 0;
            for (int c = 0; c < 32; c++) {
                sum += Math.abs(out[r * 32 + c]);
            }
            assertThat(sum).isPositive();
        }
    }

    @Test
    void neuronAndChannelPruningRemoveWholeRowsAndKeepThemRemoved() {
        for (String method : List.of("neuron", "channel")) {
            MethodsTest.Run run = train("{\"method\": \"" + method + "\", \"target\": 0.5}", 1);
            assertWholeNeuronsRemoved(run, 0.5);
            assertThat(run.evaluate().testAccuracy()).isGreaterThan(0.8);
        }
    }

    @Test
    void groupLassoShrinksNeuronsThenRemovesThem() {
        MethodsTest.Run run = train("{\"method\": \"group-lasso\", \"target\": 0.25, \"lambda\": 0.01}", 2);
        assertWholeNeuronsRemoved(run, 0.25);
        assertThat(run.named("regularization.penalty")).hasSize(2);
    }

    @Test
    void l1PrunesToTheExactTargetAfterRegularizedTraining() {
        MethodsTest.Run run = train("{\"method\": \"l1\", \"target\": 0.8}", 2);
        assertThat(run.violations()).isEmpty();
        Evaluation e = run.evaluate();
        assertThat(e.parameters() - e.nonZero()).isEqualTo(Math.round(0.8 * e.parameters()));
        List<MetricPoint> penalty = run.named("regularization.penalty");
        assertThat(penalty).hasSize(2);
        assertThat(penalty.get(0).value()).isPositive();
    }

    /**
     * Each IMP round reruns the learning-rate schedule from the rewind point (a cosine schedule anneals to 0 at
     * the end of every round; it used to span all rounds, so the dense round never annealed), and Adam's bias
     * correction restarts with the optimizer state at every rewind.
     */
    @Test
    void impRerunsTheScheduleEveryRoundAndRestartsAdamsCount() {
        ExperimentSpec base = Specs.synthetic(MethodsTest.sparsity(
                "{\"method\": \"imp\", \"target\": 0.75, \"rate\": 0.5, \"rewindStep\": 5}"), 1);
        ExperimentSpec spec = new ExperimentSpec(base.name(), base.dataset(), base.model(),
                new dev.sparselab.contracts.spec.TrainingSpec(1, 64, new dev.sparselab.contracts.spec.OptimizerSpec(
                        "adam", 0.001, null, null, null, null, null, null, "cosine", null, null, null), 7L),
                base.sparsity(), null).withDefaults();
        List<MetricPoint> points = new ArrayList<>();
        Trainers.weightSparse(spec, SyntheticData.generate(7, true), points::addAll, (state, step) -> { }).run();
        List<Double> rates = points.stream().filter(p -> p.name().equals("learning_rate")).map(MetricPoint::value)
                .toList();
        assertThat(rates).hasSize(3); // the dense round and two pruning rounds, one epoch each
        assertThat(rates).allSatisfy(lr -> assertThat(lr).isCloseTo(0.0, within(1e-9)));

        IterativeMagnitudePruning imp = new IterativeMagnitudePruning(
                (dev.sparselab.contracts.spec.ImpSpec) spec.sparsity(), 1);
        long t = STEPS_PER_EPOCH;
        assertThat(imp.scheduleLength(t, 3 * t)).isEqualTo(t);
        assertThat(imp.scheduleStep(t, t)).isEqualTo(t);
        assertThat(imp.scheduleStep(t + 1, t)).isEqualTo(6); // round 1 starts at the rewind step (5) + 1
        assertThat(imp.optimizerStateStep(t + 1, t)).isEqualTo(1);
        assertThat(imp.optimizerStateStep(2 * t + 3, t)).isEqualTo(3);
    }

    @Test
    void impPrunesInRoundsAndRewindsSurvivorsToTheirEarlyValues() {
        ExperimentSpec spec = Specs.synthetic(MethodsTest.sparsity(
                "{\"method\": \"imp\", \"target\": 0.8, \"rate\": 0.5, \"rewindStep\": 5}"), 1);
        Map<Long, Map<String, float[]>> before = new HashMap<>();
        List<Long> roundStarts = List.of((long) STEPS_PER_EPOCH + 1, 2L * STEPS_PER_EPOCH + 1,
                3L * STEPS_PER_EPOCH + 1);
        List<MetricPoint> points = new ArrayList<>();
        Dataset data = SyntheticData.generate(spec.training().seed(), true);
        TrainingResult r = Trainers.weightSparse(spec, data, points::addAll,
                new StepObserver() {
                    @Override
                    public void afterStep(SparseState state, long step) {
                    }

                    @Override
                    public void beforeStep(SparseState state, long step) {
                        if (step == 6 || roundStarts.contains(step)) {
                            Map<String, float[]> w = new HashMap<>();
                            for (LayerShape l : state.shapes()) {
                                w.put(l.name(), state.weights(l.name()));
                                w.put(l.name() + ".mask", state.mask(l.name()));
                            }
                            before.put(step, w);
                        }
                    }
                }).run();
        // rounds: 0.5, 0.75, then exactly the target 0.8; the output layer stays dense
        List<Double> sparsities = points.stream().filter(p -> p.name().equals("prune.sparsity"))
                .map(MetricPoint::value).toList();
        long sparseCount = 64 * 32 + 32 * 64;
        long total = sparseCount + 320;
        assertThat(sparsities).containsExactly(0.5 * sparseCount / total, 0.75 * sparseCount / total,
                (double) Math.round(0.8 * sparseCount) / total);
        // every round starts from the step-5 weights, masked
        Map<String, float[]> rewindTarget = before.get(6L);
        for (long start : roundStarts) {
            for (String layer : List.of("fc1", "fc2", "fc3")) {
                float[] w = before.get(start).get(layer);
                float[] mask = before.get(start).get(layer + ".mask");
                float[] expected = rewindTarget.get(layer).clone();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] *= mask == null ? 1f : mask[i];
                }
                assertThat(w).as("%s at step %d", layer, start).containsExactly(expected);
            }
        }
        assertThat(r.artifact().masks()).doesNotContainKey("fc3.weight");
        Evaluation e = new ModelEvaluator().evaluate(r.artifact(), SyntheticData.generate(7, false));
        assertThat(e.layers().get(2).nonZero()).isEqualTo(320);
        assertThat(e.testAccuracy()).isGreaterThan(0.8);
    }

    @Test
    void sparseMomentumKeepsTheTotalAndMovesCapacityBetweenLayers() {
        MethodsTest.Run run = train("{\"method\": \"snfs\", \"target\": 0.8}", 3);
        List<MetricPoint> sparsity = run.named("mask.sparsity");
        assertThat(sparsity).hasSize(3);
        assertThat(sparsity.stream().map(MetricPoint::value).distinct()).hasSize(1);
        assertThat(run.named("snfs.pruneRate").get(0).value())
                .isCloseTo(SparseMomentum.pruneRate(0.5, 1, 3), within(1e-12));
        assertThat(run.evaluate().testAccuracy()).isGreaterThan(0.8);

        int[] grow = SparseMomentum.redistribute(100, new double[]{3, 1, 0}, new int[]{50, 80, 10});
        assertThat(Arrays.stream(grow).sum()).isEqualTo(100);
        assertThat(grow[0]).isEqualTo(50);
        assertThat(grow[1]).isGreaterThanOrEqualTo(49);
    }

    /**
     * As sparse momentum's reference code: growth takes the positions empty after the drop (a just-dropped one
     * included) and a layer's capacity counts them; it used to exclude just-dropped positions and count only the
     * positions empty before the drop (here: layer a could regrow one connection, never at position 0).
     */
    @Test
    void sparseMomentumMayRegrowAJustDroppedPositionAndCountsCapacityAfterTheDrop() {
        Map<String, float[]> masks = new java.util.LinkedHashMap<>();
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        Map<String, float[]> momentum = new java.util.LinkedHashMap<>();
        masks.put("a", new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 0});
        weights.put("a", new float[]{0.001f, 0.4f, 0.5f, 0.5f, 0.6f, 0.6f, 0.7f, 0.7f, 0.8f, 0f});
        momentum.put("a", new float[]{5f, 0.05f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f});
        masks.put("b", new float[]{1, 1, 1, 1, 1, 0, 0, 0, 0, 0});
        weights.put("b", new float[]{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0f, 0f, 0f, 0f, 0f});
        momentum.put("b", new float[]{0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.02f, 0.03f, 0.01f, 0.01f, 0.01f});
        SparseMomentum.Plan plan = SparseMomentum.plan(masks, weights, momentum, 0.2);
        // a drops ceil(0.2 * 9) = 2 (positions 0 and 1), b drops 1; a's share is by far the larger, capped at
        // floor(0.99 * 3) = 2 empty positions after the drop
        assertThat(plan.grow()).containsExactly(2, 1);
        assertThat(plan.masks().get("a")).containsExactly(1, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(plan.masks().get("b")).containsExactly(0, 1, 1, 1, 1, 0, 1, 0, 0, 0);
    }

    /**
     * Under Adam, growth and the layers' shares follow the normalized momentum m / (sqrt(v) + 1e-8) (the raw first
     * moment before); after the update every absent weight's optimizer state is the mean over the layer's active
     * weights (it was zero where the mask changed and stale elsewhere), while grown weights keep theirs.
     */
    @Test
    void sparseMomentumUnderAdamGrowsByNormalizedMomentumAndResetsAbsentStateToTheActiveMean() {
        ExperimentSpec base = dev.sparselab.core.Specs.synthetic(MethodsTest.sparsity(
                "{\"method\": \"snfs\", \"target\": 0.8}"), 2);
        dev.sparselab.contracts.spec.OptimizerSpec adam = new dev.sparselab.contracts.spec.OptimizerSpec("adam", 0.001,
                null, null, null, null, null, null, null, null, null, null);
        ExperimentSpec spec = new ExperimentSpec(base.name(), base.dataset(), base.model(),
                new dev.sparselab.contracts.spec.TrainingSpec(2, 64, adam, 7L, null, null, null, null, null, null),
                base.sparsity(), null).withDefaults();
        Map<String, float[]> masks = new java.util.LinkedHashMap<>();
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        Map<String, float[][]> states = new java.util.LinkedHashMap<>();
        List<String> checked = new ArrayList<>();
        Dataset data = SyntheticData.generate(7, true);
        Trainers.weightSparse(spec, data, points -> { }, new StepObserver() {
            @Override
            public void afterStep(SparseState state, long step) {
                if (step == STEPS_PER_EPOCH) {
                    for (LayerShape l : state.sparseShapes()) {
                        masks.put(l.name(), state.mask(l.name()).clone());
                        weights.put(l.name(), state.weights(l.name()));
                        states.put(l.name(), state.optimizerState(l.name()));
                    }
                }
            }

            @Override
            public void beforeStep(SparseState state, long step) {
                if (step != STEPS_PER_EPOCH + 1) {
                    return;
                }
                Map<String, float[]> normalized = new java.util.LinkedHashMap<>();
                states.forEach((layer, s) -> {
                    float[] n = new float[s[0].length];
                    for (int i = 0; i < n.length; i++) {
                        n[i] = (float) (s[0][i] / (Math.sqrt(s[1][i]) + 1e-8));
                    }
                    normalized.put(layer, n);
                });
                SparseMomentum.Plan plan = SparseMomentum.plan(masks, weights, normalized,
                        SparseMomentum.pruneRate(0.5, 1, 2));
                for (LayerShape l : state.sparseShapes()) {
                    float[] mask = state.mask(l.name());
                    assertThat(mask).as(l.name()).containsExactly(plan.masks().get(l.name()));
                    float[][] after = state.optimizerState(l.name());
                    float[][] before = states.get(l.name());
                    for (int a = 0; a < after.length; a++) {
                        double sum = 0;
                        int active = 0;
                        for (int i = 0; i < mask.length; i++) {
                            if (mask[i] != 0f) {
                                sum += after[a][i];
                                active++;
                            }
                        }
                        float mean = (float) (sum / active);
                        for (int i = 0; i < mask.length; i++) {
                            if (mask[i] == 0f) {
                                assertThat(after[a][i]).as("%s state %d absent %d", l.name(), a, i).isEqualTo(mean);
                            } else if (masks.get(l.name())[i] == 0f) {
                                assertThat(after[a][i]).as("%s state %d grown %d", l.name(), a, i)
                                        .isEqualTo(before[a][i]);
                            }
                        }
                    }
                    checked.add(l.name());
                }
            }
        }).run();
        assertThat(checked).containsExactly("fc1", "fc2", "fc3");
    }

    /** Wanda's N:M variant (METHODS.md; the reference's prune_n/prune_m): n of every m consecutive inputs kept. */
    @Test
    void wandaNmKeepsTheHighestScoresInEveryGroup() {
        MethodsTest.Run run = train("{\"method\": \"wanda\", \"n\": 2, \"m\": 4}", 1);
        for (String layer : List.of("fc1", "fc2", "fc3")) {
            long[] shape = run.result().artifact().tensors().get(layer + ".weight").shape();
            float[] w = tensor(run, layer + ".weight");
            assertThat(ModelEvaluator.nmCompliance(w, (int) shape[1], 2, 4)).as(layer).isEqualTo(1.0);
            assertThat(Masks.countZeros(w)).as(layer).isEqualTo(w.length / 2);
        }
        Evaluation e = run.evaluate();
        assertThat(e.nmCompliance()).isEqualTo(1.0);
        assertThat(e.sparsity()).isEqualTo(0.5);
        // within a group the score decides: a small weight on a large-norm input survives
        assertThat(Wanda.nmwise(new float[]{1f, 1f, 5f, 2f, 9f, 0f, 0f, 8f}, 1, 8, 2, 4))
                .containsExactly(0, 0, 1, 1, 1, 0, 0, 1);
        assertThat(e.testAccuracy()).isGreaterThan(0.5);
    }

    @Test
    void wandaPrunesTheSameCountInEveryRow() {
        MethodsTest.Run run = train("{\"method\": \"wanda\", \"target\": 0.75}", 1);
        for (String layer : List.of("fc1", "fc2", "fc3")) {
            long[] shape = run.result().artifact().tensors().get(layer + ".weight").shape();
            int in = (int) shape[1];
            float[] w = tensor(run, layer + ".weight");
            for (int r = 0; r < shape[0]; r++) {
                int zeros = Masks.countZeros(Arrays.copyOfRange(w, r * in, (r + 1) * in));
                assertThat(zeros).as("%s row %d", layer, r).isEqualTo((int) Math.round(0.75 * in));
            }
        }
        // the score weighs magnitudes by input norms: a column with a large input norm survives
        float[] scores = {1f, 1f, 5f, 1f};
        assertThat(Wanda.rowwise(scores, 1, 4, 3)).containsExactly(0, 0, 1, 0);
        assertThat(run.evaluate().testAccuracy()).isGreaterThan(0.5);
    }
}
