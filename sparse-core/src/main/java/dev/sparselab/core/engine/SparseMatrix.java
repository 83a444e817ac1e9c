package dev.sparselab.core.engine;

import java.util.stream.IntStream;

/**
 * A weight matrix {@code W [rows = out, cols = in]} held only at its active positions, with the three kernels of a
 * training step of a linear layer (issue 18, first increment). Activations are feature-major ("transposed"):
 * {@code xT[j * batch + b]} is input feature {@code j} of example {@code b}, so every kernel's inner loop runs over
 * the batch through contiguous memory (SparseProp's layout), which the JIT compiles to SIMD for the two products:
 * <ul>
 *   <li>{@link #forward}: {@code yT = W · xT} (SpMM; {@code Y = X Wᵀ}), one scaled add of an input row per non-zero;</li>
 *   <li>{@link #backwardInput}: {@code dxT = Wᵀ · dyT} (SpMM with the transpose, read through a column index so that
 *       each output row has one writer);</li>
 *   <li>{@link #weightGradient}: {@code dW_ij = Σ_b dy_bi · x_bj} only at active positions (SDDMM), one dot product of
 *       two contiguous rows per non-zero.</li>
 * </ul>
 * Rows are split over the cores (the common fork-join pool) and the batch is processed in blocks of
 * {@value #BATCH_BLOCK} examples, so that a block of the input stays in cache while the non-zeros stream past it.
 * The values array is shared with the optimizer: it is updated in place, the structure is fixed until
 * {@link #of} builds a new one (a drop/grow step of a dynamic method).
 */
public final class SparseMatrix {
    static final int BATCH_BLOCK = 64;
    private static final int ROWS_PER_TASK = 64;
    /**
     * Input features per tile: an input dimension wider than this is processed a tile at a time, so that the tile's
     * block of the input ({@value} features × {@value #BATCH_BLOCK} examples, 256 KB) stays in the core's cache
     * while a task's rows stream their entries in that tile past it (without tiles, a 32768-wide input block is 8 MB:
     * every entry's scaled add missed the cache; 32768² at 99%: 2.6 s a training step untiled, 1.3–1.4 s tiled).
     */
    static final int TILE = 1024;

    /**
     * Rows per task when tiled: the more rows share a cached tile the fewer times it is loaded, as long as every core
     * still gets a few tasks (2048 at most: 32768 rows on 2 cores; 512 for 4096).
     */
    private static int tiledRowsPerTask(int n) {
        return Math.max(ROWS_PER_TASK, Math.min(2048, n / (4 * Runtime.getRuntime().availableProcessors())));
    }

    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;
    // the transpose's index (CSC): column j's non-zeros are values[pos[colPtr[j] .. colPtr[j + 1])], in rows rowIdx[..]
    private final int[] colPtr;
    private final int[] rowIdx;
    private final int[] pos;
    // entry ranges per (row, tile) when tiled: row r's entries of tile t are rowTiles[r·(tiles+1) + t .. + t + 1)
    private final int colTiles;
    private final int[] rowTiles;
    private final int rowTilesOfColumns;
    private final int[] columnTiles;

    private SparseMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
        int nnz = values.length;
        colPtr = new int[cols + 1];
        for (int k = 0; k < nnz; k++) {
            colPtr[colIdx[k] + 1]++;
        }
        for (int j = 0; j < cols; j++) {
            colPtr[j + 1] += colPtr[j];
        }
        rowIdx = new int[nnz];
        pos = new int[nnz];
        int[] next = colPtr.clone();
        for (int i = 0; i < rows; i++) {
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
                int at = next[colIdx[k]]++;
                rowIdx[at] = i;
                pos[at] = k;
            }
        }
        colTiles = (cols + TILE - 1) / TILE;
        rowTiles = colTiles > 1 ? tiles(rows, rowPtr, colIdx, colTiles) : null;
        rowTilesOfColumns = (rows + TILE - 1) / TILE;
        columnTiles = rowTilesOfColumns > 1 ? tiles(cols, colPtr, rowIdx, rowTilesOfColumns) : null;
    }

    /** For each of {@code n} lines, where each tile's entries start (the index within a line ascends). */
    private static int[] tiles(int n, int[] ptr, int[] index, int tiles) {
        int[] out = new int[Math.multiplyExact(n, tiles + 1)];
        for (int r = 0; r < n; r++) {
            int k = ptr[r];
            int o = r * (tiles + 1);
            for (int t = 0; t < tiles; t++) {
                out[o + t] = k;
                int end = (t + 1) * TILE;
                while (k < ptr[r + 1] && index[k] < end) {
                    k++;
                }
            }
            out[o + tiles] = ptr[r + 1];
        }
        return out;
    }

    /**
     * The active positions of a row-major {@code [rows, cols]} mask (non-zero = active) with the weights there.
     */
    public static SparseMatrix of(float[] weights, float[] mask, int rows, int cols) {
        if (weights.length != rows * cols || mask.length != rows * cols) {
            throw new IllegalArgumentException("weights and mask must both be " + rows + "×" + cols);
        }
        int nnz = 0;
        for (float m : mask) {
            if (m != 0f) {
                nnz++;
            }
        }
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            rowPtr[i] = k;
            for (int j = 0; j < cols; j++) {
                if (mask[i * cols + j] != 0f) {
                    colIdx[k] = j;
                    values[k] = weights[i * cols + j];
                    k++;
                }
            }
        }
        rowPtr[rows] = k;
        return new SparseMatrix(rows, cols, rowPtr, colIdx, values);
    }

    /**
     * A matrix from its compressed rows: row {@code i}'s entries are {@code rowPtr[i] .. rowPtr[i + 1]}, their
     * columns strictly increasing (the arrays are taken, not copied).
     */
    public static SparseMatrix ofRows(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        if (rowPtr.length != rows + 1 || rowPtr[0] != 0 || rowPtr[rows] != colIdx.length
                || colIdx.length != values.length) {
            throw new IllegalArgumentException("compressed rows do not describe a " + rows + "×" + cols + " matrix");
        }
        for (int i = 0; i < rows; i++) {
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
                if (colIdx[k] < 0 || colIdx[k] >= cols || k > rowPtr[i] && colIdx[k] <= colIdx[k - 1]) {
                    throw new IllegalArgumentException("row " + i + " has columns out of order or out of range");
                }
            }
        }
        return new SparseMatrix(rows, cols, rowPtr, colIdx, values);
    }

    /** Row {@code i}'s entries are {@code rowPtr()[i] .. rowPtr()[i + 1]} (not a copy: do not change it). */
    public int[] rowPtr() {
        return rowPtr;
    }

    /** The column of each entry (not a copy: do not change it). */
    public int[] colIdx() {
        return colIdx;
    }

    /** The non-zeros of a row-major {@code [rows, cols]} weight matrix (a pruned model's layer). */
    public static SparseMatrix ofNonZeros(float[] weights, int rows, int cols) {
        float[] mask = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            mask[i] = weights[i] != 0f ? 1f : 0f;
        }
        return of(weights, mask, rows, cols);
    }

    /** {@code [batch, features]} row-major (example-major) into {@code [features, batch]} (feature-major). */
    public static float[] featureMajor(float[] x, int batch, int features) {
        float[] t = new float[x.length];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < features; j++) {
                t[j * batch + b] = x[b * features + j];
            }
        }
        return t;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int nonZeros() {
        return values.length;
    }

    /** The weights at the active positions, row by row (updated in place by an optimizer). */
    public float[] values() {
        return values;
    }

    /** The dense row-major {@code [rows, cols]} matrix (zeros at inactive positions). */
    public float[] toDense() {
        float[] dense = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < rows; i++) {
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
                dense[i * cols + colIdx[k]] = values[k];
            }
        }
        return dense;
    }

    /** {@code yT [rows, batch] = W · xT [cols, batch]}. */
    public void forward(float[] xT, int batch, float[] yT) {
        check(xT, cols, batch, "xT");
        check(yT, rows, batch, "yT");
        multiply(rows, rowPtr, colIdx, null, colTiles, rowTiles, xT, batch, yT);
    }

    /** {@code dxT [cols, batch] = Wᵀ · dyT [rows, batch]}. */
    public void backwardInput(float[] dyT, int batch, float[] dxT) {
        check(dyT, rows, batch, "dyT");
        check(dxT, cols, batch, "dxT");
        multiply(cols, colPtr, rowIdx, pos, rowTilesOfColumns, columnTiles, dyT, batch, dxT);
    }

    /**
     * {@code out[r, :] = Σ_t values[at(t)] · in[index[t], :]} over row {@code r}'s entries {@code ptr[r] .. ptr[r + 1]}
     * ({@code at(t)} is {@code valuePos[t]}, or {@code t} itself when {@code valuePos} is null): W's rows or, through
     * the transpose's index, its columns.
     */
    private void multiply(int n, int[] ptr, int[] index, int[] valuePos, int tiles, int[] tilePtr, float[] in,
                          int batch, float[] out) {
        if (batch == 1) { // one example: a gathered dot product per row, no batch loop
            parallelRows(n, values.length, ROWS_PER_TASK, (from, to) -> {
                for (int r = from; r < to; r++) {
                    float sum = 0f;
                    for (int t = ptr[r]; t < ptr[r + 1]; t++) {
                        sum += values[valuePos == null ? t : valuePos[t]] * in[index[t]];
                    }
                    out[r] = sum;
                }
            });
            return;
        }
        int rowsPerTask = tiles > 1 ? tiledRowsPerTask(n) : ROWS_PER_TASK;
        parallelRows(n, (long) values.length * batch, rowsPerTask, (from, to) -> {
            for (int b0 = 0; b0 < batch; b0 += BATCH_BLOCK) {
                int b1 = Math.min(batch, b0 + BATCH_BLOCK);
                for (int r = from; r < to; r++) {
                    int o = r * batch;
                    for (int b = b0; b < b1; b++) {
                        out[o + b] = 0f;
                    }
                }
                for (int tile = 0; tile < tiles; tile++) {
                    for (int r = from; r < to; r++) {
                        int o = r * batch;
                        int start = tiles > 1 ? tilePtr[r * (tiles + 1) + tile] : ptr[r];
                        int end = tiles > 1 ? tilePtr[r * (tiles + 1) + tile + 1] : ptr[r + 1];
                        for (int t = start; t < end; t++) {
                            axpy(values[valuePos == null ? t : valuePos[t]], in, index[t] * batch, out, o, b0, b1);
                        }
                    }
                }
            }
        });
    }

    /** {@code grad[k] = Σ_b dyT[i, b] · xT[j, b]} for each active position {@code k = (i, j)}, in {@link #values} order. */
    public void weightGradient(float[] dyT, float[] xT, int batch, float[] grad) {
        check(dyT, rows, batch, "dyT");
        check(xT, cols, batch, "xT");
        if (grad.length != values.length) {
            throw new IllegalArgumentException("grad must have one entry per non-zero (" + values.length + ")");
        }
        int tiles = colTiles;
        parallelRows(rows, (long) values.length * batch, tiles > 1 ? tiledRowsPerTask(rows) : ROWS_PER_TASK,
                (from, to) -> {
                    for (int tile = 0; tile < tiles; tile++) {
                        for (int i = from; i < to; i++) {
                            int yo = i * batch;
                            int start = tiles > 1 ? rowTiles[i * (tiles + 1) + tile] : rowPtr[i];
                            int end = tiles > 1 ? rowTiles[i * (tiles + 1) + tile + 1] : rowPtr[i + 1];
                            for (int k = start; k < end; k++) {
                                grad[k] = dot(dyT, yo, xT, colIdx[k] * batch, batch);
                            }
                        }
                    }
                });
    }

    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int b0, int b1) {
        for (int b = b0; b < b1; b++) {
            y[yo + b] += a * x[xo + b];
        }
    }

    /** Eight independent partial sums (the JIT does not reorder a float reduction by itself). */
    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
            s4 += a[ao + i + 4] * b[bo + i + 4];
            s5 += a[ao + i + 5] * b[bo + i + 5];
            s6 += a[ao + i + 6] * b[bo + i + 6];
            s7 += a[ao + i + 7] * b[bo + i + 7];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private interface RowRange {
        void run(int from, int to);
    }

    /** Below this many multiply-adds a kernel runs on the calling thread: handing out tasks would cost more. */
    static final long PARALLEL_WORK = 1L << 20;

    private static void parallelRows(int n, long work, int rowsPerTask, RowRange body) {
        int tasks = (n + rowsPerTask - 1) / rowsPerTask;
        if (tasks <= 1 || work < PARALLEL_WORK) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, tasks).parallel()
                .forEach(t -> body.run(t * rowsPerTask, Math.min(n, (t + 1) * rowsPerTask)));
    }

    private static void check(float[] a, int features, int batch, String name) {
        if (a.length != features * batch) {
            throw new IllegalArgumentException(name + " must be " + features + "×" + batch + " (feature-major)");
        }
    }
}
