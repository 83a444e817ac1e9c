package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import dev.sparselab.contracts.spec.FfnSpec;

/**
 * Product-key memory ({@code pkm}: output = sum over heads and retrieved memories of softmax(score) * V[i])
 * and PEER ({@code peer}: each memory is a one-neuron expert, output = sum softmax(s)_i gelu(u_i . x) v_i).
 * In dense mode the retrieval scores all keys^2 memories (the reference). The query is batch-normalized
 * ({@code queryBatchNorm}, as Lample et al.'s query network does to spread the key usage): batch statistics in
 * training, running statistics (momentum 0.1, the unbiased variance, as PyTorch's BatchNorm1d keeps them) at
 * evaluation; the running statistics are buffers stored with the model, updated on the host from the batch's
 * mean and variance (2 x heads x keyDim floats a step).
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
        if (batchNorm()) {
            w.constant(p + ".queryNorm.gain", 1f, (long) heads * kd);
            w.constant(p + ".queryNorm.bias", 0f, (long) heads * kd);
            w.buffer(p + ".queryNorm.runningMean", new float[heads * kd]);
            float[] ones = new float[heads * kd];
            java.util.Arrays.fill(ones, 1f);
            w.buffer(p + ".queryNorm.runningVar", ones);
        }
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

    private boolean batchNorm() {
        return !Boolean.FALSE.equals(spec.queryBatchNorm());
    }

    static final float BN_EPS = 1e-5f;
    static final float BN_MOMENTUM = 0.1f;

    /** Batch normalization of the queries [n, width] over the rows. */
    NDArray normalizeQuery(NDArray q, Step step) {
        long n = q.getShape().get(0);
        float[] runningMean = w.buffer(p + ".queryNorm.runningMean");
        float[] runningVar = w.buffer(p + ".queryNorm.runningVar");
        NDArray normalized;
        if (step.training && n > 1) {
            NDArray mean = q.mean(new int[]{0});
            NDArray centered = q.sub(mean);
            NDArray var = centered.square().mean(new int[]{0});
            normalized = centered.div(var.add(BN_EPS).sqrt());
            float[] m = mean.toFloatArray();
            float[] v = var.toFloatArray();
            float[] nextMean = new float[m.length];
            float[] nextVar = new float[v.length];
            for (int i = 0; i < m.length; i++) {
                nextMean[i] = (1 - BN_MOMENTUM) * runningMean[i] + BN_MOMENTUM * m[i];
                nextVar[i] = (1 - BN_MOMENTUM) * runningVar[i] + BN_MOMENTUM * v[i] * n / (n - 1);
            }
            w.buffer(p + ".queryNorm.runningMean", nextMean);
            w.buffer(p + ".queryNorm.runningVar", nextVar);
        } else {
            NDArray mean = step.manager.create(runningMean);
            NDArray std = step.manager.create(runningVar).add(BN_EPS).sqrt();
            normalized = q.sub(mean).div(std);
        }
        return normalized.mul(w.get(p + ".queryNorm.gain")).add(w.get(p + ".queryNorm.bias"));
    }

    @Override
    NDArray forward(NDArray x, int[] tokens, Step step) {
        long n = x.getShape().get(0);
        int heads = spec.heads();
        int kd = spec.keyDim();
        NDArray query = Ops.linear(x, w.get(p + ".query"), w.get(p + ".queryBias"));
        NDArray q = (batchNorm() ? normalizeQuery(query, step) : query).reshape(n, heads, kd);
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
