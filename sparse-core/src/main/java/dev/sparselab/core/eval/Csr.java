package dev.sparselab.core.eval;

/**
 * A weight matrix [rows, cols] in compressed sparse row form, with a plain-Java sparse x dense product.
 *
 * @param values non-zero values, row by row
 * @param cols   column index of each value
 * @param rowPtr row r's values are {@code values[rowPtr[r] .. rowPtr[r + 1])}
 */
public record Csr(int rows, int columns, float[] values, int[] cols, int[] rowPtr) {

    /** Compresses a row-major dense matrix, keeping its non-zeros. */
    public static Csr of(float[] dense, int rows, int columns) {
        int nnz = 0;
        for (float v : dense) {
            if (v != 0f) {
                nnz++;
            }
        }
        float[] values = new float[nnz];
        int[] cols = new int[nnz];
        int[] rowPtr = new int[rows + 1];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            rowPtr[r] = k;
            for (int c = 0; c < columns; c++) {
                float v = dense[r * columns + c];
                if (v != 0f) {
                    values[k] = v;
                    cols[k] = c;
                    k++;
                }
            }
        }
        rowPtr[rows] = k;
        return new Csr(rows, columns, values, cols, rowPtr);
    }

    /**
     * Y = X W^T for a batch: {@code x} is [batch, columns] row-major, the result [batch, rows] row-major.
     * One pass over the non-zeros per example; single-threaded.
     */
    public float[] multiplyTransposed(float[] x, int batch) {
        float[] y = new float[batch * rows];
        for (int b = 0; b < batch; b++) {
            int xo = b * columns;
            int yo = b * rows;
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
                    sum += values[k] * x[xo + cols[k]];
                }
                y[yo + r] = sum;
            }
        }
        return y;
    }
}
