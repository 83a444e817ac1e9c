package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A bank of E two-layer experts (gelu(x W1_e + b1_e) W2_e + b2_e), computed either sparsely, on the tokens
 * dispatched to each expert (gathered into [E, capacity, d] buffers, one batched matmul per layer), or densely,
 * every expert on every token (the reference).
 */
final class Experts {
    private final Weights w;
    private final String p;
    final int count;
    final int width;
    final int hidden;

    Experts(String prefix, int experts, int d, int hidden, Weights w) {
        this.w = w;
        this.p = prefix;
        this.count = experts;
        this.width = d;
        this.hidden = hidden;
        w.uniform(p + ".w1", 1 / Math.sqrt(d), experts, d, hidden);
        w.uniform(p + ".b1", 1 / Math.sqrt(d), experts, hidden);
        w.uniform(p + ".w2", 1 / Math.sqrt(hidden), experts, hidden, d);
        w.uniform(p + ".b2", 1 / Math.sqrt(hidden), experts, d);
    }

    /** x [n, d]; gates [n, k] weight each token's choices (0 for a dropped one). */
    NDArray sparse(NDArray x, Routing.Dispatch dispatch, NDArray gates, Step step) {
        long n = x.getShape().get(0);
        int cap = dispatch.capacity();
        long[] slotToken = new long[count * cap];
        for (int i = 0; i < slotToken.length; i++) {
            slotToken[i] = dispatch.slotToken()[i] < 0 ? n : dispatch.slotToken()[i];
        }
        NDArray padded = x.concat(step.manager.zeros(new Shape(1, width)), 0);
        NDArray in = Ops.rows(padded, Ops.longs(step.manager, slotToken, slotToken.length))
                .reshape(count, cap, width);
        NDArray h = Ops.gelu(in.batchMatMul(w.get(p + ".w1")).add(Ops.scratch(w.get(p + ".b1").reshape(count, 1, hidden), step)));
        NDArray out = h.batchMatMul(w.get(p + ".w2")).add(Ops.scratch(w.get(p + ".b2").reshape(count, 1, width), step))
                .reshape((long) count * cap, width);
        int k = dispatch.tokenSlot().length == 0 ? 1 : dispatch.tokenSlot()[0].length;
        long[] tokenSlot = new long[(int) n * k];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < k; j++) {
                int s = dispatch.tokenSlot()[t][j];
                tokenSlot[t * k + j] = s < 0 ? (long) count * cap : s;
            }
        }
        NDArray outPadded = out.concat(step.manager.zeros(new Shape(1, width)), 0);
        NDArray picked = Ops.rows(outPadded, Ops.longs(step.manager, tokenSlot, n, k)); // [n, k, d]
        return picked.mul(gates.expandDims(2)).sum(new int[]{1});
    }

    /** Every expert on every token: [E, n, d]. */
    NDArray all(NDArray x, Step step) {
        long n = x.getShape().get(0);
        NDArray in = x.expandDims(0).broadcast(new Shape(count, n, width));
        NDArray h = Ops.gelu(in.batchMatMul(w.get(p + ".w1")).add(Ops.scratch(w.get(p + ".b1").reshape(count, 1, hidden), step)));
        return h.batchMatMul(w.get(p + ".w2")).add(Ops.scratch(w.get(p + ".b2").reshape(count, 1, width), step));
    }

    /** Dense reference: sum over experts of combine[n, e] * expert_e(x_n); combine [n, E]. */
    NDArray dense(NDArray x, NDArray combine, Step step) {
        return combine.transpose().expandDims(2).mul(all(x, step)).sum(new int[]{0});
    }

    /** The combine matrix [n, E] of choices [n][k] with gates [n, k] (dropped choices already zeroed). */
    static NDArray combine(Step step, int[][] choices, NDArray gates, int experts) {
        int n = choices.length;
        int k = n == 0 ? 1 : choices[0].length;
        int[] flat = new int[n * k];
        for (int t = 0; t < n; t++) {
            System.arraycopy(choices[t], 0, flat, t * k, k);
        }
        NDArray oneHot = Ops.ints(step.manager, flat, n, k).oneHot(experts); // [n, k, E]
        return oneHot.mul(gates.expandDims(2)).sum(new int[]{1});
    }
}
