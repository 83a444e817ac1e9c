package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.sparselab.contracts.spec.FfnSpec;

/**
 * Experts chosen per token: {@code moe} (noisy top-k gating, Shazeer et al.), {@code switch} (top-1,
 * capacity factor), {@code hash} (fixed table of the token id) and {@code base} (balanced assignment).
 * See METHODS.md section 7 for the formulas; dropped tokens (over an expert's capacity) get no expert
 * output and pass through the block's residual.
 */
final class RoutedFfn extends Ffn {
    private final FfnSpec spec;
    private final String p;
    private final Weights w;
    private final Experts experts;
    private final int e;
    private final LayerStats stats;
    private final int[] table;

    RoutedFfn(FfnSpec spec, String prefix, int d, Weights w, long[] frequencies, long seed) {
        this.spec = spec;
        this.p = prefix;
        this.w = w;
        this.e = spec.experts();
        switch (spec.kind()) {
            case FfnSpec.MOE -> {
                // zero-initialized gating, as Shazeer et al. do: routing starts uniform
                w.constant(p + ".gate", 0f, d, e);
                if (Boolean.TRUE.equals(spec.noise())) {
                    w.constant(p + ".noise", 0f, d, e);
                }
            }
            case FfnSpec.SWITCH -> w.uniform(p + ".gate", 1 / Math.sqrt(d), d, e);
            case FfnSpec.BASE -> w.normal(p + ".centroids", 1 / Math.sqrt(d), d, e);
            default -> {
            }
        }
        this.experts = new Experts(p + ".experts", e, d, spec.hidden(), w);
        this.stats = new LayerStats(prefix, e);
        if (FfnSpec.HASH.equals(spec.kind())) {
            if (frequencies == null) {
                throw new IllegalArgumentException("hash routing needs token ids (a transformer on token data)");
            }
            int[] t = Routing.hashTable(frequencies, e, "balanced".equals(spec.hashTable()), seed);
            float[] stored = new float[t.length];
            for (int i = 0; i < t.length; i++) {
                stored[i] = t[i];
            }
            w.buffer(p + ".table", stored);
            this.table = t;
        } else {
            this.table = null;
        }
    }

    @Override
    LayerStats stats() {
        return stats;
    }

    /** The hash table in use (read back from the buffer, which a stored model may have replaced). */
    int[] table() {
        float[] stored = w.buffer(p + ".table");
        int[] t = new int[stored.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (int) stored[i];
        }
        return t;
    }

    /** Each token's chosen experts, their gates (0 for a dropped choice), the dispatch and the aux loss. */
    record Gating(int[][] choices, NDArray gates, Routing.Dispatch dispatch, NDArray aux) {
    }

    @Override
    NDArray forward(NDArray x, int[] tokens, Step step) {
        return forward(x, x, tokens, step);
    }

    /**
     * BASE scores tokens against the expert centroids on the residual stream ({@code residual}: fairseq's BaseLayer
     * takes the raw features, its experts normalize their own input); the other kinds route on {@code x}.
     */
    @Override
    NDArray forward(NDArray x, NDArray residual, int[] tokens, Step step) {
        Gating g = gate(FfnSpec.BASE.equals(spec.kind()) ? residual : x, tokens, step);
        Routing.Dispatch dispatch = g.dispatch();
        if (step.record) {
            stats.add(dispatch.routed(), dispatch.choices(), dispatch.dropped());
        }
        if (g.aux() != null) {
            step.auxLosses.add(g.aux());
            if (step.record) {
                stats.addAux(g.aux().getFloat());
            }
        }
        NDArray y = step.dense ? experts.dense(x, Experts.combine(step, g.choices(), g.gates(), e), step)
                : experts.sparse(x, dispatch, g.gates(), step);
        // BASE: the block adds the residual, so x + sigmoid(x . c_e) E_e(h), as fairseq's BaseLayer gives
        // alpha (x + FF(LN x)) + (1 - alpha) x; this once added (1 - sigmoid) h as well, a second residual of LN(x)
        return y;
    }

    Gating gate(NDArray x, int[] tokens, Step step) {
        int n = (int) x.getShape().get(0);
        int[][] choices;
        NDArray gates;
        NDArray aux = null;
        Routing.Dispatch dispatch;
        switch (spec.kind()) {
            case FfnSpec.MOE -> {
                int k = spec.k();
                NDArray clean = x.matMul(w.get(p + ".gate"));
                NDArray noisy = clean;
                NDArray std = null;
                boolean noise = step.training && Boolean.TRUE.equals(spec.noise());
                if (noise) {
                    std = Activation.softPlus(x.matMul(w.get(p + ".noise")));
                    float[] eps = new float[n * e];
                    for (int i = 0; i < eps.length; i++) {
                        eps[i] = (float) Weights.gaussian(step.rng);
                    }
                    noisy = clean.add(step.manager.create(eps, new Shape(n, e)).mul(std));
                }
                float[] h = Ops.floats(noisy);
                choices = Routing.topK(h, n, e, k);
                NDArray idx = index(step, choices);
                gates = noisy.gather(idx, 1).softmax(1);
                dispatch = Routing.dispatch(choices, e,
                        spec.capacityFactor() == null ? 0 : Routing.capacity(spec.capacityFactor(), n, k, e));
                gates = gates.mul(kept(step, dispatch));
                if (step.training) {
                    NDArray importance = Experts.combine(step, choices, gates, e).sum(new int[]{0});
                    NDArray load = noise && k < e ? smoothLoad(step, clean, noisy, h, std, n, k)
                            : step.manager.create(toFloat(dispatch.routed()));
                    aux = Ops.cv2(importance).add(Ops.cv2(load)).mul(spec.auxWeight().floatValue());
                }
            }
            case FfnSpec.SWITCH -> {
                NDArray logits = x.matMul(w.get(p + ".gate"));
                NDArray probs = logits.softmax(1);
                choices = Routing.topK(Ops.floats(logits), n, e, 1);
                gates = probs.gather(index(step, choices), 1);
                dispatch = Routing.dispatch(choices, e, Routing.capacity(spec.capacityFactor(), n, 1, e));
                gates = gates.mul(kept(step, dispatch));
                if (step.training) {
                    aux = switchLoss(step.manager.create(toFloat(dispatch.routed())).div(n), probs.mean(new int[]{0}),
                            e).mul(spec.auxWeight().floatValue());
                }
            }
            case FfnSpec.HASH -> {
                int[] t = table();
                choices = new int[n][1];
                for (int i = 0; i < n; i++) {
                    choices[i][0] = t[tokens[i]];
                }
                gates = step.manager.ones(new Shape(n, 1));
                dispatch = Routing.dispatch(choices, e,
                        spec.capacityFactor() == null ? 0 : Routing.capacity(spec.capacityFactor(), n, 1, e));
                gates = gates.mul(kept(step, dispatch));
            }
            case FfnSpec.BASE -> {
                NDArray scores = x.matMul(w.get(p + ".centroids"));
                float[] s = Ops.floats(scores);
                int[] assigned = step.training ? Routing.balancedAssignment(s, n, e) : Routing.greedy(s, n, e);
                choices = new int[n][1];
                for (int i = 0; i < n; i++) {
                    choices[i][0] = assigned[i];
                }
                gates = Activation.sigmoid(scores.gather(index(step, choices), 1));
                dispatch = Routing.dispatch(choices, e, 0);
            }
            default -> throw new IllegalStateException(spec.kind());
        }
        return new Gating(choices, gates, dispatch, aux);
    }

    /** alpha-free Switch loss: N * sum_i f_i P_i (1 when both are uniform, its minimum for uniform f). */
    static NDArray switchLoss(NDArray fractions, NDArray meanProbs, int experts) {
        return fractions.mul(meanProbs).sum().mul(experts);
    }

    private static NDArray index(Step step, int[][] choices) {
        int n = choices.length;
        int k = n == 0 ? 1 : choices[0].length;
        int[] flat = new int[n * k];
        for (int t = 0; t < n; t++) {
            System.arraycopy(choices[t], 0, flat, t * k, k);
        }
        return Ops.ints(step.manager, flat, n, k);
    }

    private static NDArray kept(Step step, Routing.Dispatch d) {
        int n = d.tokenSlot().length;
        int k = n == 0 ? 1 : d.tokenSlot()[0].length;
        float[] keep = new float[n * k];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < k; j++) {
                keep[t * k + j] = d.tokenSlot()[t][j] >= 0 ? 1f : 0f;
            }
        }
        return step.manager.create(keep, new Shape(n, k));
    }

    private static float[] toFloat(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    /**
     * Shazeer et al.'s smooth load estimator: P(token, i) = Phi((clean_i - threshold) / std_i), threshold the
     * k-th largest noisy logit among the others (the (k+1)-th of all if i is chosen, the k-th if not).
     */
    private NDArray smoothLoad(Step step, NDArray clean, NDArray noisy, float[] h, NDArray std, int n, int k) {
        float[] threshold = new float[n * e];
        float[] row = new float[e];
        for (int t = 0; t < n; t++) {
            System.arraycopy(h, t * e, row, 0, e);
            float[] sorted = row.clone();
            java.util.Arrays.sort(sorted);
            float kth = sorted[e - k];
            float next = sorted[e - k - 1];
            for (int i = 0; i < e; i++) {
                threshold[t * e + i] = row[i] >= kth ? next : kth;
            }
        }
        NDArray z = clean.sub(step.manager.create(threshold, new Shape(n, e))).div(std.add(1e-6f));
        NDArray phi = z.div((float) Math.sqrt(2)).erf().add(1f).mul(0.5f);
        return phi.sum(new int[]{0});
    }
}
