package dev.sparselab.core.sparsity;

import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.run.Trainers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.core.Specs;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.SyntheticData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each method's invariants, on real training runs (synthetic data: 4000 examples, 63 steps per epoch). */
class MethodsTest {
    static final int STEPS_PER_EPOCH = (SyntheticData.TRAIN_SIZE + 63) / 64;

    record Run(TrainingResult result, List<MetricPoint> points, List<String> violations) {
        List<MetricPoint> named(String name) {
            return points.stream().filter(p -> p.name().equals(name)).toList();
        }

        Evaluation evaluate() {
            return new ModelEvaluator().evaluate(result.artifact(),
                    SyntheticData.generate(result.artifact().spec().training().seed(), false));
        }
    }

    static SparsitySpec sparsity(String json) {
        return dev.sparselab.contracts.events.EventCodec.decode(json, SparsitySpec.class);
    }

    /** Trains and checks after every optimizer step that every masked weight is exactly zero. */
    static Run train(ExperimentSpec spec) {
        List<MetricPoint> points = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        Dataset data = SyntheticData.generate(spec.training().seed(), true);
        TrainingResult r = Trainers.weightSparse(spec, data, points::addAll, (state, step) -> {
            state.masks().forEach((layer, mask) -> {
                float[] w = state.weights(layer);
                for (int i = 0; i < w.length; i++) {
                    if (mask[i] == 0f && w[i] != 0f) {
                        violations.add(layer + "[" + i + "]=" + w[i] + " at step " + step);
                        return;
                    }
                }
            });
        }).run();
        return new Run(r, points, violations);
    }

    static long zeros(ModelArtifact a) {
        return a.tensors().entrySet().stream().filter(e -> e.getKey().endsWith(".weight"))
                .mapToLong(e -> Masks.countZeros(e.getValue().data())).sum();
    }

    @Test
    void rigLUpdatesOnScheduleWithEqualDropAndGrowAndConstantSparsity() {
        ExperimentSpec spec = Specs.synthetic(sparsity(
                "{\"method\": \"rigl\", \"target\": 0.8, \"deltaT\": 20, \"alpha\": 0.3, \"stopFraction\": 0.75}"), 3);
        Run run = train(spec);
        assertThat(run.violations()).isEmpty();
        long trainSteps = 3L * STEPS_PER_EPOCH;
        long tEnd = (long) Math.floor(0.75 * trainSteps);
        // update steps: multiples of deltaT below T_end
        List<Long> expectedSteps = new ArrayList<>();
        for (long t = 20; t < tEnd; t += 20) {
            expectedSteps.add(t);
        }
        List<Long> alphaSteps = run.named("rigl.alpha").stream().map(MetricPoint::step).toList();
        assertThat(alphaSteps).containsExactlyElementsOf(expectedSteps);
        for (MetricPoint p : run.named("rigl.alpha")) {
            assertThat(p.value()).isCloseTo(0.15 * (1 + Math.cos(Math.PI * p.step() / tEnd)), within(1e-12));
        }
        // the mask is replaced at every update with as many connections grown as dropped, at most k
        Map<String, Integer> active = new TreeMap<>();
        for (MetricPoint p : run.points()) {
            if (p.name().matches("mask\\.fc\\d\\.dropped") && p.step() > 0) {
                String layer = p.name().split("\\.")[1];
                MetricPoint grown = run.points().stream().filter(q -> q.step() == p.step()
                        && q.name().equals("mask." + layer + ".grown")).findFirst().orElseThrow();
                assertThat(grown.value()).as("%s at %d", layer, p.step()).isEqualTo(p.value());
                double alpha = 0.15 * (1 + Math.cos(Math.PI * p.step() / tEnd));
                int n = "fc1".equals(layer) ? 64 * 32 : "fc2".equals(layer) ? 32 * 64 : 10 * 32;
                int nActive = active.computeIfAbsent(layer, l -> -1);
                if (nActive > 0) {
                    assertThat(p.value()).isLessThanOrEqualTo(Math.floor(alpha * nActive));
                }
                active.put(layer, n - (int) Math.round(run.points().stream().filter(q -> q.step() == 0
                        && q.name().equals("mask." + layer + ".sparsity")).findFirst().orElseThrow().value() * n));
            }
        }
        // exact overall sparsity at the end, every layer's count unchanged since initialization
        Evaluation e = run.evaluate();
        assertThat(e.parameters() - e.nonZero()).isGreaterThanOrEqualTo(Math.round(0.8 * e.parameters()));
        assertThat(run.named("mask.sparsity").stream().map(MetricPoint::value).distinct().count()).isEqualTo(1);
        assertThat(e.testAccuracy()).isGreaterThan(0.8);
    }

    @Test
    void rigLDropsTheSmallestAndGrowsTheLargestGradientsAtZero() {
        float[] w = {0.5f, -0.01f, 0.3f, 0f, 0f, -0.7f, 0f, 0.02f};
        float[] g = {9f, 0.5f, 9f, 0.1f, 5f, 9f, 3f, 0.5f};
        float[] mask = {1, 1, 1, 0, 0, 1, 0, 1};
        float[] next = RigL.dropAndGrow(w, g, mask, 2, new SplittableRandom(1));
        // dropped: |-0.01| and |0.02| (smallest); grown: positions 4 (|g|=5) and 6 (|g|=3)
        assertThat(next).containsExactly(1, 0, 1, 0, 1, 1, 1, 0);
        assertThat(w).containsExactly(0.5f, 0f, 0.3f, 0f, 0f, -0.7f, 0f, 0f);

        // as in the reference code, a dropped connection with a large gradient is grown back and keeps its weight
        float[] w2 = {0.5f, -0.01f, 0.3f, 0f, 0f, -0.7f, 0f, 0.02f};
        float[] g2 = {0f, 9f, 0f, 0.1f, 5f, 0f, 3f, 0.5f};
        float[] next2 = RigL.dropAndGrow(w2, g2, mask, 2, new SplittableRandom(1));
        assertThat(next2).containsExactly(1, 1, 1, 0, 1, 1, 0, 0);
        assertThat(w2[1]).isEqualTo(-0.01f);
    }

    @Test
    void setRemovesTheWeakestOfEachSignAndRegrowsAsManyAtRandom() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 1000;
        float[] w = new float[n];
        float[] mask = new float[n];
        for (int i = 0; i < n; i++) {
            mask[i] = i % 2 == 0 ? 1f : 0f;
            w[i] = mask[i] == 0f ? 0f : (float) (SetMethod.gaussian(rng) * 0.5);
        }
        float[] before = w.clone();
        long positives = java.util.stream.IntStream.range(0, n).filter(i -> mask[i] != 0f && w[i] > 0f).count();
        long negatives = java.util.stream.IntStream.range(0, n).filter(i -> mask[i] != 0f && w[i] < 0f).count();
        float[] next = SetMethod.evolve(w, mask, 0.3, SetMethod.normal(0.01), rng);
        Masks.Churn churn = Masks.Churn.between(mask, next);
        long removed = Math.round(0.3 * positives) + Math.round(0.3 * negatives);
        // a removed position may be regrown at once (with a new weight): the mask shows the others
        long regrownInPlace = java.util.stream.IntStream.range(0, n)
                .filter(i -> mask[i] != 0f && next[i] != 0f && w[i] != before[i]).count();
        assertThat(churn.dropped()).isEqualTo(churn.grown());
        assertThat(churn.dropped() + regrownInPlace).isEqualTo(removed);
        // removed: the smallest positives and the negatives closest to zero
        float maxRemovedPos = 0;
        float minKeptPos = Float.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (mask[i] != 0f && before[i] > 0) {
                if (next[i] == 0f || w[i] != before[i]) {
                    maxRemovedPos = Math.max(maxRemovedPos, before[i]);
                } else {
                    minKeptPos = Math.min(minKeptPos, before[i]);
                }
            }
        }
        assertThat(maxRemovedPos).isLessThanOrEqualTo(minKeptPos);
        // regrown weights come from N(0, 0.01^2): small and not all zero
        List<Float> grown = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (next[i] != 0f && (mask[i] == 0f || w[i] != before[i])) {
                grown.add(w[i]);
                assertThat(Math.abs(w[i])).isLessThan(0.06f);
            }
        }
        double std = Math.sqrt(grown.stream().mapToDouble(x -> x * x).average().orElseThrow());
        assertThat(std).isCloseTo(0.01, within(0.003));
    }

    /**
     * As SET's reference code (a new connection goes to any position that is not a kept one), regrowth may land
     * on a position removed in the same update; it used to draw from the previously empty positions only.
     */
    @Test
    void setMayRegrowAConnectionItJustRemoved() {
        int regrownWhereRemoved = 0;
        for (int seed = 0; seed < 50; seed++) {
            float[] w = {0.5f, -0.2f, 0.01f, 0f, 0.3f, 0.7f, -0.9f, 0f};
            float[] mask = {1, 1, 1, 0, 1, 1, 1, 0};
            float[] next = SetMethod.evolve(w, mask, 0.34, SetMethod.normal(0.1), new SplittableRandom(seed));
            assertThat(Masks.countZeros(next)).isEqualTo(2);
            if (next[2] != 0f || next[1] != 0f) {
                regrownWhereRemoved++;
            }
        }
        assertThat(regrownWhereRemoved).isPositive();
    }

    /** Without regrowStd, regrown weights are drawn as the layer was initialized (the reference's rule). */
    @Test
    void setRegrowsWithTheLayersInitializationUnlessAStdIsGiven() {
        dev.sparselab.contracts.spec.ModelSpec model = new dev.sparselab.contracts.spec.ModelSpec("mlp", List.of(64),
                "relu", null, null, null, null, null, null, null, null, null, null,
                new dev.sparselab.contracts.spec.InitSpec("normal", 0.1, null, false, "zero"), null);
        LayerShape fc1 = new LayerShape("fc1", new int[]{64, 784});
        dev.sparselab.contracts.spec.SetSpec byInit = (dev.sparselab.contracts.spec.SetSpec) sparsity(
                "{\"method\": \"set\", \"target\": 0.9}");
        assertThat(byInit.regrowStd()).isNull();
        float[] v = new SetMethod(byInit, StepRandom.of(1, "m"), model).regrow(fc1).draw(20000, new SplittableRandom(2));
        double std = Math.sqrt(java.util.stream.IntStream.range(0, v.length).mapToDouble(i -> v[i] * v[i]).average()
                .orElseThrow());
        assertThat(std).isCloseTo(0.1, within(0.003));
        dev.sparselab.contracts.spec.SetSpec explicit = (dev.sparselab.contracts.spec.SetSpec) sparsity(
                "{\"method\": \"set\", \"target\": 0.9, \"regrowStd\": 0.01}");
        float[] u = new SetMethod(explicit, StepRandom.of(1, "m"), model).regrow(fc1).draw(20000,
                new SplittableRandom(2));
        double std2 = Math.sqrt(java.util.stream.IntStream.range(0, u.length).mapToDouble(i -> u[i] * u[i]).average()
                .orElseThrow());
        assertThat(std2).isCloseTo(0.01, within(0.0003));
    }

    @Test
    void setLeavesALayerWithoutEmptyPositionsAlone() {
        float[] w = {0.5f, -0.2f, 0.1f, -0.9f, 0.3f, 0.7f};
        float[] mask = Masks.ones(6);
        float[] next = SetMethod.evolve(w.clone(), mask, 0.3, SetMethod.normal(0.01), new SplittableRandom(1));
        assertThat(next).containsExactly(mask);
        float[] oneEmpty = {1, 1, 1, 0, 1, 1};
        float[] w2 = {0.5f, -0.2f, 0.1f, 0f, 0.3f, 0.7f};
        float[] next2 = SetMethod.evolve(w2, oneEmpty, 0.5, SetMethod.normal(0.01), new SplittableRandom(1));
        assertThat(Masks.countZeros(next2)).isEqualTo(1);
    }

    @Test
    void setEvolvesAfterEveryEpochButTheLast() {
        Run run = train(Specs.synthetic(sparsity("{\"method\": \"set\", \"target\": 0.8}"), 3));
        assertThat(run.violations()).isEmpty();
        Evaluation e = run.evaluate();
        assertThat(e.parameters() - e.nonZero()).isEqualTo(Math.round(0.8 * e.parameters()));
        List<Long> updateSteps = run.named("mask.sparsity").stream().map(MetricPoint::step).toList();
        assertThat(updateSteps).containsExactly(0L, (long) STEPS_PER_EPOCH, 2L * STEPS_PER_EPOCH);
        for (MetricPoint p : run.points()) {
            if (p.name().endsWith(".dropped") && p.step() > 0) {
                assertThat(p.value()).isPositive();
            }
        }
        assertThat(run.evaluate().testAccuracy()).isGreaterThan(0.8);
    }

    @Test
    void gmpFollowsTheCubicScheduleAtItsPruningSteps() {
        ExperimentSpec spec = Specs.synthetic(sparsity(
                "{\"method\": \"gmp\", \"target\": 0.9, \"beginStep\": 10, \"endStep\": 110, \"frequency\": 25}"), 2);
        Run run = train(spec);
        assertThat(run.violations()).isEmpty();
        Map<Long, Double> targets = run.named("prune.target").stream()
                .collect(Collectors.toMap(MetricPoint::step, MetricPoint::value, (a, b) -> a, TreeMap::new));
        assertThat(targets.keySet()).containsExactly(10L, 35L, 60L, 85L, 110L);
        assertThat(targets.get(10L)).isEqualTo(0.0);
        assertThat(targets.get(60L)).isCloseTo(0.9 - 0.9 * Math.pow(0.5, 3), within(1e-12));
        assertThat(targets.get(110L)).isEqualTo(0.9);
        // the sparsity reached equals the schedule's (to the weight) at every pruning step
        long n = 64 * 32 + 32 * 64 + 10 * 32;
        for (MetricPoint p : run.named("prune.sparsity")) {
            assertThat(p.value() * n).isCloseTo(Math.round(targets.get(p.step()) * n), within(1e-6));
        }
        assertThat(GradualMagnitudePruning.sparsityAt(35, 10, 110, 0.0, 0.9))
                .isCloseTo(0.9 - 0.9 * Math.pow(0.75, 3), within(1e-12));
        Evaluation e = run.evaluate();
        assertThat(e.parameters() - e.nonZero()).isEqualTo(Math.round(0.9 * e.parameters()));
    }

    @Test
    void globalMagnitudeRanksAcrossLayersAndHitsTheTotalExactly() {
        Run run = train(Specs.synthetic(sparsity("{\"method\": \"magnitude\", \"target\": 0.7, \"global\": true}"), 1));
        assertThat(run.violations()).isEmpty();
        Evaluation e = run.evaluate();
        assertThat(e.parameters() - e.nonZero()).isEqualTo(Math.round(0.7 * e.parameters()));
        // one threshold: the largest pruned |W| is no larger than the smallest kept |W| in any layer
        assertThat(e.layers().stream().map(Evaluation.LayerSparsity::sparsity).distinct().count()).isGreaterThan(1);
    }

    @Test
    void denseLayersStayDenseUnderEveryMethod() {
        for (String method : List.of("random", "magnitude", "gmp", "set", "rigl")) {
            Run run = train(Specs.synthetic(sparsity("{\"method\": \"" + method
                    + "\", \"target\": 0.8, \"denseLayers\": [\"last\"]}"), 2));
            assertThat(run.violations()).as(method).isEmpty();
            Evaluation e = run.evaluate();
            assertThat(e.layers().get(2).nonZero()).as(method).isEqualTo(10 * 32);
            assertThat(e.layers().get(0).sparsity()).as(method).isGreaterThan(0.5);
        }
    }

    @Test
    void dynamicRunsAreReproducibleBitForBit() {
        for (String method : List.of("rigl", "set", "gmp")) {
            ExperimentSpec spec = Specs.synthetic(sparsity("{\"method\": \"" + method + "\", \"target\": 0.8}"), 2);
            String a = ModelArtifact.sha256(train(spec).result().artifact().toBytes());
            String b = ModelArtifact.sha256(train(spec).result().artifact().toBytes());
            assertThat(a).as(method).isEqualTo(b);
        }
    }
}
