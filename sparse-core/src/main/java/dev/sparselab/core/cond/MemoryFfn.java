package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import dev.sparselab.contracts.spec.FfnSpec;

/**
 * Product-key memory ({@code pkm}: output = sum over heads and retrieved memories of softmax(score) * V[i])
 * and PEER ({@code peer}: each memory is a one-neuron expert, output = sum softmax(s)_i gelu(u_i . x) v_i).
 * In dense mode the retrieval scores all keys^2 memories (the reference).
 */
final class MemoryFfn extends Ffn {
    private final FfnSpec spec;
    private final String p;
    private final Weights w;
    private final int d;
    private final boolean peer;
    private final LayerStats stats;

    MemoryFfn(FfnSpec spec, String prefix, int d, Weights w) {
        this.spec = spec;
        this.p = prefix;
        this.w = w;
        this.d = d;
        this.peer = FfnSpec.PEER.equals(spec.kind());
        int heads = spec.heads();
        int kd = spec.keyDim();
        int n = spec.keys();
        w.uniform(p + ".query", 1 / Math.sqrt(d), d, (long) heads * kd);
        w.uniform(p + ".queryBias", 1 / Math.sqrt(d), (long) heads * kd);
        w.uniform(p + ".keys1", 1 / Math.sqrt(kd / 2.0), heads, n, kd / 2);
        w.uniform(p + ".keys2", 1 / Math.sqrt(kd / 2.0), heads, n, kd / 2);
        long memories = (long) n * n;
        if (peer) {
            w.normal(p + ".down", 1 / Math.sqrt(d), memories, d);
            w.normal(p + ".up", 1 / Math.sqrt((double) heads * spec.k()), memories, d);
        } else {
            w.normal(p + ".values", 1 / Math.sqrt(d), memories, d);
        }
        this.stats = new LayerStats(prefix, (int) memories);
    }

    /** Floats of the all-memories score array of the dense reference for {@code rows} rows. */
    long denseScores(long rows) {
        return rows * spec.heads() * (long) spec.keys() * spec.keys();
    }

    @Override
    LayerStats stats() {
        return stats;
    }

    @Override
    NDArray forward(NDArray x, int[] tokens, Step step) {
        long n = x.getShape().get(0);
        int heads = spec.heads();
        int kd = spec.keyDim();
        NDArray q = Ops.linear(x, w.get(p + ".query"), w.get(p + ".queryBias")).reshape(n, heads, kd);
        NDArray q1 = q.get(":, :, :" + kd / 2);
        NDArray q2 = q.get(":, :, " + kd / 2 + ":");
        ProductKeys.Retrieved r = step.dense
                ? ProductKeys.bruteForce(q1, q2, w.get(p + ".keys1"), w.get(p + ".keys2"), spec.k(), spec.keys())
                : ProductKeys.retrieve(q1, q2, w.get(p + ".keys1"), w.get(p + ".keys2"), spec.k(), spec.keys());
        NDArray weights = r.scores().softmax(-1); // [n, heads, k]
        if (step.record) {
            long[] used = new long[spec.keys() * spec.keys()];
            for (long m : r.memories().toLongArray()) {
                used[(int) m]++;
            }
            stats.add(used, n * heads * spec.k(), 0);
        }
        if (!peer) {
            NDArray values = Ops.rows(w.get(p + ".values"), r.memories()); // [n, heads, k, d]
            return values.mul(weights.expandDims(3)).sum(new int[]{1, 2});
        }
        NDArray down = Ops.rows(w.get(p + ".down"), r.memories());
        NDArray up = Ops.rows(w.get(p + ".up"), r.memories());
        NDArray activation = Ops.gelu(down.mul(x.reshape(n, 1, 1, d)).sum(new int[]{3})); // [n, heads, k]
        return up.mul(weights.mul(activation).expandDims(3)).sum(new int[]{1, 2});
    }
}
