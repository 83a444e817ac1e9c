package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.contracts.spec.AttentionSpec;

/**
 * Causal multi-head self-attention with a sparsity pattern. Window, strided and bigbird attention gather
 * each query's allowed keys ([T, w] index table, w the widest row) and score only those; topk scores all
 * causal pairs and keeps the k best per query; dense mode (the reference) scores all causal pairs and masks
 * the pattern.
 */
final class Attention {
    private static final float MASKED = -1e9f;
    private final String p;
    private final Weights w;
    private final int d;
    private final int heads;
    private final AttentionSpec spec;
    private final AttentionPattern pattern;

    Attention(String prefix, int d, int heads, AttentionSpec spec, int context, Weights w, long seed) {
        this.p = prefix;
        this.w = w;
        this.d = d;
        this.heads = heads;
        this.spec = spec;
        this.pattern = AttentionPattern.of(spec, context, seed);
        w.uniform(p + ".qkv", 1 / Math.sqrt(d), d, 3L * d);
        w.uniform(p + ".qkvBias", 1 / Math.sqrt(d), 3L * d);
        w.uniform(p + ".out", 1 / Math.sqrt(d), d, d);
        w.uniform(p + ".outBias", 1 / Math.sqrt(d), d);
    }

    /** Fraction of the causal query-key pairs attended. */
    double density() {
        return "topk".equals(spec.pattern()) ? AttentionPattern.topkDensity(pattern.length(), spec.k())
                : pattern.density();
    }

    /** x [b, t, d] with t = the context. */
    NDArray forward(NDArray x, Step step) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long dh = d / heads;
        NDArray qkv = Ops.linear(x.reshape(b * t, d), w.get(p + ".qkv"), w.get(p + ".qkvBias"))
                .reshape(b, t, 3, heads, dh).transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0).div((float) Math.sqrt(dh));
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray out;
        boolean gathered = !step.dense && !"dense".equals(spec.pattern()) && !"topk".equals(spec.pattern());
        if (gathered) {
            int width = pattern.width();
            NDArray index = Ops.ints(step.manager, pattern.index(), 1, 1, t * width, 1)
                    .broadcast(new Shape(b, heads, t * width, dh));
            NDArray kg = k.gather(index, 2).reshape(b, heads, t, width, dh);
            NDArray vg = v.gather(index, 2).reshape(b, heads, t, width, dh);
            NDArray scores = q.expandDims(3).mul(kg).sum(new int[]{4}).add(additive(step, pattern.valid(), t, width));
            out = scores.softmax(-1).expandDims(4).mul(vg).sum(new int[]{3});
        } else {
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(additive(step, denseMask(t), t, t));
            if ("topk".equals(spec.pattern())) {
                int kk = (int) Math.min(spec.k(), t);
                NDList top = scores.topK(kk, -1, true, false);
                NDArray index = top.get(1).reshape(b, heads, t * kk, 1).broadcast(new Shape(b, heads, t * kk, dh));
                NDArray vg = v.gather(index, 2).reshape(b, heads, t, kk, dh);
                out = top.get(0).softmax(-1).expandDims(4).mul(vg).sum(new int[]{3});
            } else {
                out = scores.softmax(-1).matMul(v);
            }
        }
        NDArray merged = out.transpose(0, 2, 1, 3).reshape(b * t, d);
        return Ops.linear(merged, w.get(p + ".out"), w.get(p + ".outBias")).reshape(b, t, d);
    }

    private boolean[] denseMask(long t) {
        boolean[] m = new boolean[(int) (t * t)];
        boolean topk = "topk".equals(spec.pattern());
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                m[(int) (i * t + j)] = topk || pattern.allowed(i, j);
            }
        }
        return m;
    }

    private static NDArray additive(Step step, boolean[] allowed, long rows, long cols) {
        float[] a = new float[allowed.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = allowed[i] ? 0f : MASKED;
        }
        return step.manager.create(a, new Shape(rows, cols));
    }
}
