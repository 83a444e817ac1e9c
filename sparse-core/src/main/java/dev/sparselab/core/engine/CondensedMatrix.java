package dev.sparselab.core.engine;

import java.util.stream.IntStream;

/**
 * A constant fan-in layer (SRigL, Lasby et al.) in its condensed layout: every active output (neuron) has the same
 * number {@code k} of connections, so the weights are an {@code [active, k]} matrix of values with an {@code [active, k]}
 * matrix of input indices — no row pointers — and ablated neurons are left out (their output is 0). This is the
 * layout SRigL's inference speed-up is measured with; the forward product gathers each neuron's k inputs.
 * A layer whose active rows do not all have the same fan-in is padded to the largest with zero weights.
 */
public final class CondensedMatrix {
    private final int rows;
    private final int cols;
    private final int k;
    private final int[] active;
    private final int[] index;
    private final float[] values;

    private CondensedMatrix(int rows, int cols, int k, int[] active, int[] index, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.k = k;
        this.active = active;
        this.index = index;
        this.values = values;
    }

    /** The non-zeros of a row-major {@code [rows, cols]} weight matrix, condensed. */
    public static CondensedMatrix of(float[] w, int rows, int cols) {
        int k = 0;
        int activeRows = 0;
        for (int r = 0; r < rows; r++) {
            int n = 0;
            for (int c = 0; c < cols; c++) {
                if (w[r * cols + c] != 0f) {
                    n++;
                }
            }
            k = Math.max(k, n);
            activeRows += n > 0 ? 1 : 0;
        }
        int[] active = new int[activeRows];
        int[] index = new int[activeRows * k];
        float[] values = new float[activeRows * k];
        int a = 0;
        for (int r = 0; r < rows; r++) {
            int t = 0;
            for (int c = 0; c < cols; c++) {
                if (w[r * cols + c] != 0f) {
                    index[a * k + t] = c;
                    values[a * k + t++] = w[r * cols + c];
                }
            }
            if (t > 0) {
                active[a++] = r;
            }
        }
        return new CondensedMatrix(rows, cols, k, active, index, values);
    }

    /** Connections per active neuron. */
    public int fanIn() {
        return k;
    }

    /** Neurons with at least one connection. */
    public int activeRows() {
        return active.length;
    }

    /** {@code yT [rows, batch] = W · xT [cols, batch]}, feature-major as {@link SparseMatrix#forward}. */
    public void forward(float[] xT, int batch, float[] yT) {
        if (xT.length != cols * batch || yT.length != rows * batch) {
            throw new IllegalArgumentException("xT must be " + cols + "×" + batch + " and yT " + rows + "×" + batch);
        }
        java.util.Arrays.fill(yT, 0f);
        int n = active.length;
        boolean parallel = (long) n * k * batch >= SparseMatrix.PARALLEL_WORK;
        IntStream rowsOf = IntStream.range(0, n);
        (parallel ? rowsOf.parallel() : rowsOf).forEach(a -> {
            int o = active[a] * batch;
            int base = a * k;
            if (batch == 1) {
                float sum = 0f;
                for (int t = 0; t < k; t++) {
                    sum += values[base + t] * xT[index[base + t]];
                }
                yT[o] = sum;
                return;
            }
            for (int t = 0; t < k; t++) {
                float v = values[base + t];
                int x = index[base + t] * batch;
                for (int b = 0; b < batch; b++) {
                    yT[o + b] += v * xT[x + b];
                }
            }
        });
    }
}
