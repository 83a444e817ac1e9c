package dev.sparselab.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The condensed constant fan-in layout computes the same product as the compressed rows, ablated rows at 0. */
class CondensedMatrixTest {
    @Test
    void condensedProductEqualsTheSparseProduct() {
        SplittableRandom r = new SplittableRandom(5);
        int rows = 300;
        int cols = 200;
        int k = 7;
        float[] w = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            if (i % 10 == 3) {
                continue; // an ablated neuron
            }
            int fanIn = i == 5 ? 4 : k; // one row with fewer connections: padded
            for (int t = 0; t < fanIn; t++) {
                w[i * cols + r.nextInt(cols)] = (float) r.nextGaussian();
            }
        }
        CondensedMatrix c = CondensedMatrix.of(w, rows, cols);
        assertThat(c.activeRows()).isEqualTo(270);
        assertThat(c.fanIn()).isEqualTo(k);
        SparseMatrix s = SparseMatrix.ofNonZeros(w, rows, cols);
        for (int batch : new int[]{1, 70}) {
            float[] xT = new float[cols * batch];
            for (int i = 0; i < xT.length; i++) {
                xT[i] = (float) r.nextGaussian();
            }
            float[] expected = new float[rows * batch];
            float[] actual = new float[rows * batch];
            java.util.Arrays.fill(actual, Float.NaN);
            s.forward(xT, batch, expected);
            c.forward(xT, batch, actual);
            for (int i = 0; i < actual.length; i++) {
                assertThat(actual[i]).as("entry %d at batch %d", i, batch).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }
}
