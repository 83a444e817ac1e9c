package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Product-key retrieval (Lample et al.; "Memory Layers at Scale"): a query of width kd is split in two halves,
 * each scored against its own n sub-keys; the top k of each half give k x k candidates scored s1 + s2, of
 * which the top k are kept. Memory index = i1 * n + i2 over n^2 memories. This finds exactly the top k of all
 * n^2 sums (the best sum's halves are each in their half's top k) at the cost of 2n + k^2 scores instead of n^2.
 */
final class ProductKeys {
    private ProductKeys() {
    }

    /** Scores [.., k] (unnormalized) and memory indices [.., k] (int64). */
    record Retrieved(NDArray scores, NDArray memories) {
    }

    /**
     * @param q1 first query halves [n, heads, kd/2]
     * @param q2 second halves [n, heads, kd/2]
     * @param keys1 sub-keys [heads, keys, kd/2]
     * @param keys2 sub-keys [heads, keys, kd/2]
     */
    static Retrieved retrieve(NDArray q1, NDArray q2, NDArray keys1, NDArray keys2, int k, int keys) {
        NDArray s1 = halfScores(q1, keys1);
        NDArray s2 = halfScores(q2, keys2);
        NDList t1 = s1.topK(k, -1, true, true);
        NDList t2 = s2.topK(k, -1, true, true);
        long n = q1.getShape().get(0);
        long heads = q1.getShape().get(1);
        NDArray candidates = t1.get(0).expandDims(3).add(t2.get(0).expandDims(2)).reshape(n, heads, (long) k * k);
        NDArray ids = t1.get(1).mul(keys).expandDims(3).add(t2.get(1).expandDims(2)).reshape(n, heads, (long) k * k);
        NDList best = candidates.topK(k, -1, true, true);
        return new Retrieved(best.get(0), ids.gather(best.get(1), 2));
    }

    /** The reference: all n^2 sums scored, top k kept (what product keys avoid computing). */
    static Retrieved bruteForce(NDArray q1, NDArray q2, NDArray keys1, NDArray keys2, int k, int keys) {
        NDArray s1 = halfScores(q1, keys1);
        NDArray s2 = halfScores(q2, keys2);
        long n = q1.getShape().get(0);
        long heads = q1.getShape().get(1);
        NDArray all = s1.expandDims(3).add(s2.expandDims(2)).reshape(n, heads, (long) keys * keys);
        NDList best = all.topK(k, -1, true, true);
        return new Retrieved(best.get(0), best.get(1));
    }

    /** q [n, heads, h] against keys [heads, keys, h]: [n, heads, keys]. */
    private static NDArray halfScores(NDArray q, NDArray keys) {
        NDArray keysT = keys.transpose(0, 2, 1);
        keysT.attach(q.getManager()); // not the parameter's manager: freed with the step
        return q.transpose(1, 0, 2).batchMatMul(keysT).transpose(1, 0, 2);
    }
}
