package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.SnfsSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sparse momentum (Dettmers &amp; Zettlemoyer, "Sparse Networks from Scratch"), as their reference code
 * ({@code sparselearning/core.py}) does it. Masks start random with the spec's distribution; gradients are not
 * masked, so the momentum of absent weights keeps measuring how useful they would be. After every epoch but the
 * last, with p cosine-decayed from pruneRate to 0.005:
 * <ol>
 *   <li>each layer's share of the regrowth is its mean |momentum| over its active weights (before the drop),
 *       normalized over layers; momentum is SGD's buffer, or under Adam the normalized m / (sqrt(v) + 1e-8);
 *   <li>each layer drops ceil(p * nnz) of its smallest |W|;
 *   <li>the dropped total is regrown across layers by share, each capped at 0.99 of its empty positions after
 *       the drop (the reference's cap; what a capped layer cannot take goes to the others);
 *   <li>each layer grows at the positions empty after the drop, just-dropped ones included, with the largest
 *       |momentum|; absent weights are zero, so grown weights start at 0 (one dropped and regrown in the same
 *       update keeps its value, as in the reference);
 *   <li>the optimizer state of every absent weight is set to the mean of that state over the layer's active
 *       weights; grown weights keep the momentum they gathered while absent (the reference's
 *       {@code reset_momentum}).
 * </ol>
 * Where we differ, on purpose: the regrowth count is placed exactly (largest remainders) instead of the
 * reference's ceil/floor rounding corrected by a smoothed residual, so the sparsity stays at the target; the
 * reference's special case for layers under 20% sparsity (their drop rate capped at their sparsity) is not
 * applied, since every layer a method sparsifies here is sparser than that.
 */
final class SparseMomentum implements SparsityMethod {
    static final double FINAL_RATE = 0.005;
    /** The reference caps a layer's regrowth at this fraction of its empty positions. */
    static final double GROWTH_CAP = 0.99;
    private final SnfsSpec spec;
    private final StepRandom rng;

    SparseMomentum(SnfsSpec spec, StepRandom rng) {
        this.spec = spec;
        this.rng = rng;
    }

    @Override
    public boolean denseWeightGradients() {
        return true; // momentum is kept for absent weights too
    }

    static double pruneRate(double initial, int epoch, int epochs) {
        return FINAL_RATE + (initial - FINAL_RATE) / 2 * (1 + Math.cos(Math.PI * epoch / epochs));
    }

    @Override
    public void init(SparseState state) {
        state.setMaskGradients(false);
        state.setResetChangedState(false);
        state.updateMasks(Methods.randomMasks(state, spec, rng.at(0)), 0, 0);
    }

    @Override
    public void afterEpoch(SparseState state, long step, int epoch, int epochs) {
        if (epoch >= epochs) {
            return;
        }
        double p = pruneRate(spec.pruneRate(), epoch, epochs);
        List<LayerShape> layers = state.sparseShapes();
        Map<String, float[]> masks = new LinkedHashMap<>();
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, float[]> momentum = new LinkedHashMap<>();
        for (LayerShape l : layers) {
            masks.put(l.name(), state.mask(l.name()));
            weights.put(l.name(), state.weights(l.name()));
            float[] mom = state.normalizedMomentum(l.name());
            momentum.put(l.name(), mom == null ? new float[l.count()] : mom);
        }
        Plan plan = plan(masks, weights, momentum, p);
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            points.add(new MetricPoint("snfs.share." + layers.get(i).name(), step, epoch, plan.grow()[i]));
        }
        points.add(new MetricPoint("snfs.pruneRate", step, epoch, p));
        state.updateMasks(plan.masks(), step, epoch);
        for (LayerShape l : layers) {
            state.fillAbsentStateWithActiveMean(l.name());
        }
        state.report(points);
    }

    /** The masks after one update, and how many connections each layer grew. */
    record Plan(Map<String, float[]> masks, int[] grow) {
    }

    /**
     * One drop-and-grow update over host copies: masks, weights and (normalized) momentum by layer, prune rate p.
     */
    static Plan plan(Map<String, float[]> masks, Map<String, float[]> weights, Map<String, float[]> momentum,
                     double p) {
        int layers = masks.size();
        List<String> names = new ArrayList<>(masks.keySet());
        Map<String, float[]> afterDrop = new LinkedHashMap<>();
        double[] meanMomentum = new double[layers];
        int[] capacity = new int[layers];
        long dropped = 0;
        for (int i = 0; i < layers; i++) {
            String name = names.get(i);
            float[] mask = masks.get(name);
            float[] mom = momentum.get(name);
            int active = mask.length - Masks.countZeros(mask);
            double sum = 0;
            for (int j = 0; j < mask.length; j++) {
                if (mask[j] != 0f) {
                    sum += Math.abs(mom[j]);
                }
            }
            meanMomentum[i] = active == 0 ? 0 : sum / active;
            int drop = (int) Math.ceil(p * active);
            float[] next = Masks.keepLargest(Masks.magnitudeScores(weights.get(name), mask),
                    mask.length - active + drop);
            afterDrop.put(name, next);
            dropped += drop;
            capacity[i] = (int) Math.floor(GROWTH_CAP * Masks.countZeros(next));
        }
        int[] grow = redistribute(dropped, meanMomentum, capacity);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            String name = names.get(i);
            float[] m = afterDrop.get(name);
            float[] mom = momentum.get(name);
            float[] score = new float[m.length];
            for (int j = 0; j < score.length; j++) {
                score[j] = m[j] == 0f ? Math.abs(mom[j]) : -1f;
            }
            float[] grown = Masks.keepLargest(score, m.length - grow[i]);
            for (int j = 0; j < m.length; j++) {
                if (grown[j] != 0f) {
                    m[j] = 1f;
                }
            }
            out.put(name, m);
        }
        return new Plan(out, grow);
    }

    /** Splits {@code total} over layers in proportion to {@code weights}, capped at {@code capacity}. */
    static int[] redistribute(long total, double[] weights, int[] capacity) {
        int n = weights.length;
        int[] out = new int[n];
        long left = total;
        boolean[] full = new boolean[n];
        while (left > 0) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (!full[i]) {
                    sum += weights[i] > 0 ? weights[i] : 1e-12;
                }
            }
            if (sum == 0) {
                break;
            }
            long placed = 0;
            double[] exact = new double[n];
            for (int i = 0; i < n; i++) {
                if (!full[i]) {
                    exact[i] = left * (weights[i] > 0 ? weights[i] : 1e-12) / sum;
                    int add = (int) Math.min(Math.floor(exact[i]), capacity[i] - out[i]);
                    out[i] += add;
                    placed += add;
                }
            }
            // the rounding remainder, largest fractions first, one each
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(exact[b] - Math.floor(exact[b]),
                    exact[a] - Math.floor(exact[a])));
            for (int i : order) {
                if (placed < left && !full[i] && out[i] < capacity[i] && exact[i] > 0) {
                    out[i]++;
                    placed++;
                }
            }
            left -= placed;
            boolean any = false;
            for (int i = 0; i < n; i++) {
                full[i] = out[i] >= capacity[i];
                any |= !full[i];
            }
            if (!any || placed == 0) {
                break;
            }
        }
        return out;
    }
}
