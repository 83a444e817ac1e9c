package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.SnfsSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sparse momentum (Dettmers &amp; Zettlemoyer, "Sparse Networks from Scratch"). Masks start random with
 * the spec's distribution; gradients are not masked, so the momentum of absent weights keeps measuring
 * how useful they would be. After every epoch but the last, with p cosine-decayed from pruneRate to
 * 0.005: each layer drops ceil(p * nnz) of its smallest |W|; the dropped total is regrown across layers in
 * proportion to each layer's mean |momentum| over its active weights (capped at the layer's free slots,
 * the rest passed on), at the empty positions (not just dropped) with the largest |momentum|. Grown
 * weights start at 0.
 */
final class SparseMomentum implements SparsityMethod {
    static final double FINAL_RATE = 0.005;
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
        state.updateMasks(Methods.randomMasks(state, spec, rng.at(0)), 0, 0);
    }

    @Override
    public void afterEpoch(SparseState state, long step, int epoch, int epochs) {
        if (epoch >= epochs) {
            return;
        }
        double p = pruneRate(spec.pruneRate(), epoch, epochs);
        List<LayerShape> layers = state.sparseShapes();
        Map<String, float[]> afterDrop = new LinkedHashMap<>();
        Map<String, float[]> momentum = new LinkedHashMap<>();
        double[] meanMomentum = new double[layers.size()];
        int[] free = new int[layers.size()];
        long dropped = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerShape l = layers.get(i);
            float[] mask = state.mask(l.name());
            float[] w = state.weights(l.name());
            float[] mom = state.momentum(l.name());
            if (mom == null) {
                mom = new float[w.length];
            }
            momentum.put(l.name(), mom);
            int active = l.count() - Masks.countZeros(mask);
            int drop = (int) Math.ceil(p * active);
            float[] next = Masks.keepLargest(Masks.magnitudeScores(w, mask), l.count() - active + drop);
            afterDrop.put(l.name(), next);
            dropped += drop;
            double sum = 0;
            for (int j = 0; j < mask.length; j++) {
                if (mask[j] != 0f) {
                    sum += Math.abs(mom[j]);
                }
            }
            meanMomentum[i] = active == 0 ? 0 : sum / active;
            // empty before the drop: the positions that may grow
            free[i] = Masks.countZeros(mask);
        }
        int[] grow = redistribute(dropped, meanMomentum, free);
        Map<String, float[]> next = new LinkedHashMap<>();
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerShape l = layers.get(i);
            float[] before = state.mask(l.name());
            float[] mom = momentum.get(l.name());
            float[] score = new float[l.count()];
            for (int j = 0; j < score.length; j++) {
                score[j] = before[j] == 0f ? Math.abs(mom[j]) : -1f;
            }
            float[] grown = Masks.keepLargest(score, l.count() - grow[i]);
            float[] m = afterDrop.get(l.name());
            float[] w = state.weights(l.name());
            for (int j = 0; j < m.length; j++) {
                if (grown[j] != 0f) {
                    m[j] = 1f;
                    w[j] = 0f;
                } else if (m[j] == 0f) {
                    w[j] = 0f;
                }
            }
            state.setWeights(l.name(), w);
            next.put(l.name(), m);
            points.add(new MetricPoint("snfs.share." + l.name(), step, epoch, grow[i]));
        }
        points.add(new MetricPoint("snfs.pruneRate", step, epoch, p));
        state.updateMasks(next, step, epoch);
        state.report(points);
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
