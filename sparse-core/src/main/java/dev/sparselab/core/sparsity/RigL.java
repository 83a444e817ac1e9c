package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.RiglSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * RigL (Evci et al., "Rigging the Lottery"). Masks start random with the spec's distribution (ERK by
 * default). Every {@code deltaT} steps while t &lt; T_end = stopFraction * T: per layer,
 * k = floor(alpha_t * n_active) with alpha_t = alpha / 2 * (1 + cos(pi t / T_end)); drop the k active
 * connections of smallest |W| (ties broken by seeded noise), then grow the k connections, among those
 * inactive after the drop, with the largest |dense gradient|. Newly grown connections start at 0 with
 * reset optimizer state; a dropped connection that is regrown keeps its weight (as in the reference code).
 */
public final class RigL implements SparsityMethod {
    private final RiglSpec spec;
    private final StepRandom rng;
    private final List<Update> updates = new ArrayList<>();

    /** What one update did to one layer: the k it dropped and grew. */
    record Update(long step, String layer, int k) {
    }

    RigL(RiglSpec spec, StepRandom rng) {
        this.spec = spec;
        this.rng = rng;
    }

    List<Update> updates() {
        return updates;
    }

    long endStep(SparseState state) {
        return endStep(spec, state.trainSteps());
    }

    /** T_end: the step at which updates stop (also the sparse engine's). */
    public static long endStep(RiglSpec spec, long trainSteps) {
        return (long) Math.floor(spec.stopFraction() * trainSteps);
    }

    /** Whether RigL updates the masks at step {@code t} (also the sparse engine's). */
    public static boolean isUpdateStep(RiglSpec spec, long t, long tEnd) {
        return t % spec.deltaT() == 0 && t < tEnd;
    }

    public static double alphaAt(double alpha, long t, long tEnd) {
        return alpha / 2 * (1 + Math.cos(Math.PI * t / tEnd));
    }

    boolean isUpdateStep(long t, long tEnd) {
        return isUpdateStep(spec, t, tEnd);
    }

    @Override
    public void init(SparseState state) {
        state.updateMasks(Methods.randomMasks(state, spec, rng.at(0)), 0, 0);
    }

    @Override
    public void beforeUpdate(SparseState state, long step, int epoch) {
        long tEnd = endStep(state);
        if (!isUpdateStep(step, tEnd)) {
            return;
        }
        double alphaT = alphaAt(spec.alpha(), step, tEnd);
        state.chargeDenseGradient();
        SplittableRandom stepRng = rng.at(step);
        Map<String, float[]> next = new LinkedHashMap<>();
        for (LayerShape l : state.sparseShapes()) {
            float[] w = state.weights(l.name());
            float[] g = state.gradient(l.name());
            float[] mask = state.mask(l.name());
            int active = l.count() - Masks.countZeros(mask);
            int k = (int) Math.floor(alphaT * active);
            float[] updated = dropAndGrow(w, g, mask, k, stepRng);
            state.setWeights(l.name(), w);
            next.put(l.name(), updated);
            updates.add(new Update(step, l.name(), k));
        }
        state.updateMasks(next, step, epoch);
        state.report(List.of(new MetricPoint("rigl.alpha", step, epoch, alphaT)));
    }

    /** One RigL update of one layer; writes 0 into {@code w} at newly grown positions. */
    public static float[] dropAndGrow(float[] w, float[] g, float[] mask, int k, SplittableRandom rng) {
        int n = w.length;
        // drop: among active, the k smallest |W| (noise far below float resolution of |W| breaks ties)
        float[] dropScore = new float[n];
        for (int i = 0; i < n; i++) {
            dropScore[i] = mask[i] == 0f ? -1f : Math.abs(w[i]) + (float) (rng.nextDouble() * 1e-30);
        }
        int inactive = Masks.countZeros(mask);
        float[] afterDrop = Masks.keepLargest(dropScore, inactive + k);
        // grow: among inactive after the drop, the k largest |grad|
        float[] growScore = new float[n];
        for (int i = 0; i < n; i++) {
            growScore[i] = afterDrop[i] != 0f ? -1f : Math.abs(g[i]);
        }
        float[] grow = Masks.keepLargest(growScore, n - k);
        float[] next = Arrays.copyOf(afterDrop, n);
        for (int i = 0; i < n; i++) {
            if (grow[i] != 0f) {
                next[i] = 1f;
                if (mask[i] == 0f) {
                    w[i] = 0f;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (next[i] == 0f) {
                w[i] = 0f;
            }
        }
        return next;
    }
}
