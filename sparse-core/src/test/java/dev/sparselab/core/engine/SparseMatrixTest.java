package dev.sparselab.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The three kernels against the dense products they replace, computed in double on the masked dense matrix. The
 * shapes cross every blocking boundary (rows per task, the batch block, the dot product's unrolling).
 */
class SparseMatrixTest {
    int ROWS = 150;
    int COLS = 77;
    static final int BATCH = 131;

    final SplittableRandom random = new SplittableRandom(7);

    float[] randomArray(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    float[] mask(double density) {
        float[] m = new float[ROWS * COLS];
        for (int i = 0; i < m.length; i++) {
            m[i] = random.nextDouble() < density ? 1f : 0f;
        }
        for (int j = 0; j < COLS; j++) {
            m[3 * COLS + j] = 0f; // an empty row
        }
        for (int i = 0; i < ROWS; i++) {
            m[i * COLS + 5] = 0f; // an empty column
        }
        return m;
    }

    /** Relative to the largest magnitude of the expected values: float sums in another order. */
    static void assertClose(float[] actual, double[] expected) {
        double scale = 1e-12;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]) / scale).as("entry %d", i).isLessThan(1e-5);
        }
    }

    @Test
    void theThreeKernelsEqualTheMaskedDenseProducts() {
        for (double density : new double[]{0.02, 0.1, 0.5, 1.0}) {
            float[] weights = randomArray(ROWS * COLS);
            float[] mask = mask(density);
            SparseMatrix w = SparseMatrix.of(weights, mask, ROWS, COLS);
            float[] dense = w.toDense();
            for (int k = 0; k < dense.length; k++) {
                assertThat(dense[k]).isEqualTo(mask[k] != 0f ? weights[k] : 0f);
            }
            float[] xT = randomArray(COLS * BATCH);
            float[] dyT = randomArray(ROWS * BATCH);

            float[] yT = new float[ROWS * BATCH];
            java.util.Arrays.fill(yT, Float.NaN); // the kernel overwrites, it does not add to what is there
            w.forward(xT, BATCH, yT);
            double[] y = new double[ROWS * BATCH];
            double[] dx = new double[COLS * BATCH];
            for (int i = 0; i < ROWS; i++) {
                for (int j = 0; j < COLS; j++) {
                    double wij = dense[i * COLS + j];
                    for (int b = 0; b < BATCH; b++) {
                        y[i * BATCH + b] += wij * xT[j * BATCH + b];
                        dx[j * BATCH + b] += wij * dyT[i * BATCH + b];
                    }
                }
            }
            assertClose(yT, y);

            float[] dxT = new float[COLS * BATCH];
            java.util.Arrays.fill(dxT, Float.NaN);
            w.backwardInput(dyT, BATCH, dxT);
            assertClose(dxT, dx);

            float[] grad = new float[w.nonZeros()];
            w.weightGradient(dyT, xT, BATCH, grad);
            double[] expected = new double[w.nonZeros()];
            int k = 0;
            for (int i = 0; i < ROWS; i++) {
                for (int j = 0; j < COLS; j++) {
                    if (mask[i * COLS + j] != 0f) {
                        for (int b = 0; b < BATCH; b++) {
                            expected[k] += (double) dyT[i * BATCH + b] * xT[j * BATCH + b];
                        }
                        k++;
                    }
                }
            }
            assertClose(grad, expected);
        }
    }

    @Test
    void theValuesAreTheWeightsAtActivePositionsAndUpdatesInPlaceAreSeen() {
        float[] weights = randomArray(ROWS * COLS);
        SparseMatrix w = SparseMatrix.of(weights, mask(0.1), ROWS, COLS);
        float[] xT = randomArray(COLS * 4);
        float[] before = new float[ROWS * 4];
        w.forward(xT, 4, before);
        for (int k = 0; k < w.values().length; k++) {
            w.values()[k] *= 2f; // an optimizer step on the values
        }
        float[] after = new float[ROWS * 4];
        w.forward(xT, 4, after);
        for (int i = 0; i < after.length; i++) {
            assertThat(after[i]).isEqualTo(2f * before[i]);
        }
    }

    @Test
    void wrongShapesAreRefused() {
        assertThatThrownBy(() -> SparseMatrix.of(new float[6], new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
        SparseMatrix w = SparseMatrix.of(new float[6], new float[]{1, 0, 1, 0, 1, 0}, 2, 3);
        assertThatThrownBy(() -> w.forward(new float[5], 2, new float[4]))
                .hasMessageContaining("xT must be 3×2");
    }

    @Test
    void aPrunedLayersNonZerosAndFeatureMajorInputsGiveTheSameProduct() {
        float[] w = {0, 2, 0, -1, 0, 3};
        SparseMatrix m = SparseMatrix.ofNonZeros(w, 2, 3);
        assertThat(m.nonZeros()).isEqualTo(3);
        float[] x = {1, 2, 3, 4, 5, 6}; // two examples of three features, example-major
        float[] xT = SparseMatrix.featureMajor(x, 2, 3);
        assertThat(xT).containsExactly(1, 4, 2, 5, 3, 6);
        float[] yT = new float[4];
        m.forward(xT, 2, yT);
        // y = x Wᵀ: example 0 -> (2·2, -1·1 + 3·3), example 1 -> (2·5, -1·4 + 3·6), feature-major
        assertThat(yT).containsExactly(4, 10, 8, 14);
    }

    @Test
    void oneExampleTakesTheDotProductPathAndAgrees() {
        float[] weights = randomArray(ROWS * COLS);
        SparseMatrix w = SparseMatrix.of(weights, mask(0.3), ROWS, COLS);
        float[] dense = w.toDense();
        float[] x = randomArray(COLS);
        float[] dy = randomArray(ROWS);
        float[] y = new float[ROWS];
        float[] dx = new float[COLS];
        w.forward(x, 1, y);
        w.backwardInput(dy, 1, dx);
        double[] ey = new double[ROWS];
        double[] edx = new double[COLS];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                ey[r] += (double) dense[r * COLS + c] * x[c];
                edx[c] += (double) dense[r * COLS + c] * dy[r];
            }
        }
        assertClose(y, ey);
        assertClose(dx, edx);
    }
}
