package dev.sparselab.core.engine;

/**
 * One linear layer of the sparse engine: its weights held at their active positions ({@link SparseMatrix}), its
 * dense bias, and the optimizer state of both, the weights' aligned with their values. A layer without a mask (the
 * dense method, a layer kept dense) holds every position. Positions are row-major indices {@code row · in + col}.
 */
final class SparseLayer {
    final String name;
    final int out;
    final int in;
    /** Whether the layer has a mask (a sparsified layer), else every position is active. */
    final boolean masked;
    SparseMatrix w;
    final float[] bias;
    float[][] state;
    final float[][] biasState;
    /** SRigL's live neurons (1) and ablated ones (0, bias held at zero), or null: every neuron is live. */
    float[] live;

    SparseLayer(String name, int out, int in, boolean masked, SparseMatrix w, float[] bias, int slots) {
        this.name = name;
        this.out = out;
        this.in = in;
        this.masked = masked;
        this.w = w;
        this.bias = bias;
        this.state = new float[slots][w.nonZeros()];
        this.biasState = new float[slots][out];
    }

    long count() {
        return (long) out * in;
    }

    int nonZeros() {
        return w.nonZeros();
    }

    /** The row-major positions of the active entries, in value order (ascending). */
    long[] positions() {
        int[] rowPtr = w.rowPtr();
        int[] colIdx = w.colIdx();
        long[] p = new long[w.nonZeros()];
        for (int i = 0; i < out; i++) {
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
                p[k] = (long) i * in + colIdx[k];
            }
        }
        return p;
    }

    /** What a change of structure did: connections dropped and grown, intersection over union. */
    record Churn(long dropped, long grown, double iou) {
    }

    /**
     * Replaces the structure: entries at the ascending row-major {@code positions} with {@code values}; entry
     * {@code k} keeps the optimizer state of the old entry {@code from[k]}, or starts with none ({@code -1}: zero
     * moments, the reset step {@code stateStep}), as the masked-dense engine resets the state where a mask changed.
     */
    Churn restructure(long[] positions, float[] values, int[] from, long stateStep, EngineOptimizer optimizer) {
        int nnz = positions.length;
        int[] rowPtr = new int[out + 1];
        int[] colIdx = new int[nnz];
        for (int k = 0; k < nnz; k++) {
            int row = (int) (positions[k] / in);
            rowPtr[row + 1]++;
            colIdx[k] = (int) (positions[k] % in);
        }
        for (int i = 0; i < out; i++) {
            rowPtr[i + 1] += rowPtr[i];
        }
        float[][] next = new float[state.length][nnz];
        long kept = 0;
        for (int k = 0; k < nnz; k++) {
            int f = from[k];
            if (f >= 0) {
                kept++;
            }
            for (int s = 0; s < state.length; s++) {
                next[s][k] = f >= 0 ? state[s][f] : optimizer.isResetSlot(s) ? stateStep : 0f;
            }
        }
        int before = w.nonZeros();
        w = SparseMatrix.ofRows(out, in, rowPtr, colIdx, values);
        state = next;
        long grown = nnz - kept;
        long either = before + grown;
        return new Churn(before - kept, grown, either == 0 ? 1.0 : (double) kept / either);
    }

    /** Dense row-major copies (for layers small enough): the weights and the 0/1 mask. */
    float[] denseWeights() {
        return w.toDense();
    }

    float[] denseMask() {
        float[] mask = new float[Math.toIntExact(count())];
        for (long p : positions()) {
            mask[(int) p] = 1f;
        }
        return mask;
    }

    /** Exactly-zero weights among all positions (absent ones included). */
    long zeros() {
        long z = count() - w.nonZeros();
        for (float v : w.values()) {
            if (v == 0f) {
                z++;
            }
        }
        return z;
    }
}
