package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.spec.SetSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sparse Evolutionary Training (Mocanu et al.). Masks start random with the spec's distribution (ER by
 * default). After every epoch but the last, per layer: remove the {@code zeta} fraction of the smallest
 * positive weights and the {@code zeta} fraction of the largest negative weights (those closest to
 * zero), then regrow as many connections at random among the positions that were empty before the
 * removal, with weights drawn from N(0, regrowStd^2). The optimizer state of every changed position
 * is reset. A layer without empty positions (made dense by ER) is left as it is.
 */
final class SetMethod implements SparsityMethod {
    private final SetSpec spec;
    private final StepRandom rng;

    SetMethod(SetSpec spec, StepRandom rng) {
        this.spec = spec;
        this.rng = rng;
    }

    @Override
    public void init(SparseState state) {
        state.updateMasks(Methods.randomMasks(state, spec, rng.at(0)), 0, 0);
    }

    @Override
    public void afterEpoch(SparseState state, long step, int epoch, int epochs) {
        if (epoch >= epochs) {
            return;
        }
        Map<String, float[]> next = new LinkedHashMap<>();
        SplittableRandom stepRng = rng.at(step);
        for (LayerShape l : state.sparseShapes()) {
            float[] w = state.weights(l.name());
            float[] mask = state.mask(l.name());
            float[] updated = evolve(w, mask, spec.zeta(), spec.regrowStd(), stepRng);
            state.setWeights(l.name(), w);
            next.put(l.name(), updated);
        }
        state.updateMasks(next, step, epoch);
    }

    /**
     * One SET step on one layer: returns the new mask and writes the regrown weights into {@code w}.
     * Exactly round(zeta * positives) + round(zeta * negatives) connections are removed and as many grown.
     */
    static float[] evolve(float[] w, float[] mask, double zeta, double regrowStd, SplittableRandom rng) {
        List<Integer> pos = new ArrayList<>();
        List<Integer> neg = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            if (mask[i] != 0f) {
                if (w[i] > 0f) {
                    pos.add(i);
                } else if (w[i] < 0f) {
                    neg.add(i);
                }
            }
        }
        pos.sort((a, b) -> w[a] != w[b] ? Float.compare(w[a], w[b]) : Integer.compare(a, b));
        neg.sort((a, b) -> w[a] != w[b] ? Float.compare(w[b], w[a]) : Integer.compare(a, b));
        int removePos = (int) Math.round(zeta * pos.size());
        int removeNeg = (int) Math.round(zeta * neg.size());
        int[] empty = Masks.indicesOf(mask, 0f);
        // a connection can only move to an empty position: a layer with fewer empty positions than it would
        // remove (a layer ER made dense) removes only as many, so its density never drops
        if (removePos + removeNeg > empty.length) {
            int total = removePos + removeNeg;
            removePos = (int) ((long) removePos * empty.length / total);
            removeNeg = empty.length - removePos;
        }
        float[] next = Arrays.copyOf(mask, mask.length);
        for (int i = 0; i < removePos; i++) {
            next[pos.get(i)] = 0f;
            w[pos.get(i)] = 0f;
        }
        for (int i = 0; i < removeNeg; i++) {
            next[neg.get(i)] = 0f;
            w[neg.get(i)] = 0f;
        }
        int grow = removePos + removeNeg;
        for (int i = 0; i < grow; i++) {
            int j = i + rng.nextInt(empty.length - i);
            int t = empty[i];
            empty[i] = empty[j];
            empty[j] = t;
            next[empty[i]] = 1f;
            w[empty[i]] = (float) (gaussian(rng) * regrowStd);
        }
        return next;
    }

    static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
