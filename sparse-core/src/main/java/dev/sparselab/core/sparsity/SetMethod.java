package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.spec.InitSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.SetSpec;
import dev.sparselab.core.model.Init;
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
 * zero), then regrow as many connections at random among the positions not kept, the just-removed ones
 * included (as the reference code draws any position that is not a kept connection), with weights drawn from
 * N(0, regrowStd^2) or, when regrowStd is not given, from the layer's initialization scheme (the reference
 * draws regrown weights as it initialized them). The optimizer state of every changed position is reset. A
 * layer without empty positions (made dense by ER) is left as it is.
 */
public final class SetMethod implements SparsityMethod {
    private final SetSpec spec;
    private final StepRandom rng;
    private final ModelSpec model;

    SetMethod(SetSpec spec, StepRandom rng, ModelSpec model) {
        this.spec = spec;
        this.rng = rng;
        this.model = model;
    }

    /** Draws the values of {@code n} regrown weights. */
    public interface Regrow {
        float[] draw(int n, SplittableRandom rng);
    }

    /** N(0, std^2). */
    static Regrow normal(double std) {
        return (n, r) -> {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (gaussian(r) * std);
            }
            return v;
        };
    }

    Regrow regrow(LayerShape l) {
        return regrowFor(spec, model, l);
    }

    /** How SET draws the regrown weights of layer {@code l} (also the sparse engine's). */
    public static Regrow regrowFor(SetSpec spec, ModelSpec model, LayerShape l) {
        if (spec.regrowStd() != null) {
            return normal(spec.regrowStd());
        }
        InitSpec init = model.initOf(l.name());
        int fanOut = l.count() / l.dims()[1];
        return (n, r) -> Init.draw(init, n, l.fanIn(), fanOut, 0, r)[0];
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
            float[] updated = evolve(w, mask, spec.zeta(), regrow(l), stepRng);
            state.setWeights(l.name(), w);
            next.put(l.name(), updated);
        }
        state.updateMasks(next, step, epoch);
    }

    /**
     * One SET step on one layer: returns the new mask and writes the regrown weights into {@code w}.
     * Exactly round(zeta * positives) + round(zeta * negatives) connections are removed and as many grown.
     */
    public static float[] evolve(float[] w, float[] mask, double zeta, Regrow regrow, SplittableRandom rng) {
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
        int grow = removePos + removeNeg;
        // the positions regrowth draws from: the empty ones and those removed now
        int[] free = Arrays.copyOf(empty, empty.length + grow);
        int f = empty.length;
        for (int i = 0; i < removePos; i++) {
            next[pos.get(i)] = 0f;
            w[pos.get(i)] = 0f;
            free[f++] = pos.get(i);
        }
        for (int i = 0; i < removeNeg; i++) {
            next[neg.get(i)] = 0f;
            w[neg.get(i)] = 0f;
            free[f++] = neg.get(i);
        }
        for (int i = 0; i < grow; i++) {
            int j = i + rng.nextInt(free.length - i);
            int t = free[i];
            free[i] = free[j];
            free[j] = t;
            next[free[i]] = 1f;
        }
        float[] values = regrow.draw(grow, rng);
        for (int i = 0; i < grow; i++) {
            w[free[i]] = values[i];
        }
        return next;
    }

    static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
