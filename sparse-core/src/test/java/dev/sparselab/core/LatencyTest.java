package dev.sparselab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.sparselab.core.eval.ConvGeometry;
import dev.sparselab.core.eval.Csr;
import dev.sparselab.core.eval.Latency;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.train.Engines;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyTest {
    static float[] sparseMatrix(int rows, int cols, double sparsity, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        float[] mask = Masks.random(w.length, (int) Math.round(sparsity * w.length), rng);
        for (int i = 0; i < w.length; i++) {
            w[i] = mask[i] * (float) rng.nextDouble(-1, 1);
        }
        return w;
    }

    @Test
    void theCsrKernelEqualsTheDenseProduct() {
        int rows = 37;
        int cols = 53;
        int batch = 9;
        float[] w = sparseMatrix(rows, cols, 0.8, 1);
        float[] x = sparseMatrix(batch, cols, 0.0, 2);
        float[] y = Csr.of(w, rows, cols).multiplyTransposed(x, batch);
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            NDArray expected = m.create(x, new Shape(batch, cols)).matMul(m.create(w, new Shape(rows, cols)).transpose());
            float[] e = expected.toFloatArray();
            for (int i = 0; i < e.length; i++) {
                assertThat(y[i]).isCloseTo(e[i], within(1e-4f));
            }
        }
        Csr csr = Csr.of(w, rows, cols);
        assertThat(csr.values()).hasSize(w.length - Masks.countZeros(w));
        assertThat(csr.rowPtr()[rows]).isEqualTo(csr.values().length);
    }

    @Test
    void im2colWithTheCsrKernelEqualsPyTorchsConvolution() {
        for (int[] sp : new int[][]{{1, 1}, {2, 0}}) {
            ConvGeometry g = new ConvGeometry(3, 7, 6, 3, 3, sp[0], sp[1]);
            int out = 4;
            int batch = 2;
            float[] w = sparseMatrix(out, g.fanIn(), 0.6, 5);
            float[] x = sparseMatrix(batch, 3 * 7 * 6, 0.0, 6);
            float[] y = Csr.of(w, out, g.fanIn()).multiplyTransposed(g.im2col(x, batch), batch * g.positions());
            try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
                float[] expected = Conv2d.conv2d(m.create(x, new Shape(batch, 3, 7, 6)),
                        m.create(w, new Shape(out, 3, 3, 3)), m.zeros(new Shape(out)),
                        new Shape(sp[0], sp[0]), new Shape(sp[1], sp[1])).singletonOrThrow().toFloatArray();
                int p = g.positions();
                assertThat(expected).hasSize(batch * out * p);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < out; r++) {
                        for (int q = 0; q < p; q++) {
                            assertThat(y[(b * p + q) * out + r]).isCloseTo(expected[(b * out + r) * p + q],
                                    within(1e-4f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void latencyIsMeasuredPerLayerAndBatchAndPicksTheFasterSparseKernel() {
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            List<Latency> l = Latency.measure(m, List.of("fc1", "fc2"),
                    List.of(sparseMatrix(64, 128, 0.9, 3), sparseMatrix(10, 64, 0.9, 4)),
                    List.of(new int[]{64, 128}, new int[]{10, 64}), new int[]{1, 32});
            assertThat(l).extracting(Latency::batch).containsExactly(1, 32);
            for (Latency lat : l) {
                assertThat(lat.layers()).hasSize(2);
                assertThat(lat.denseMs()).isPositive();
                assertThat(lat.sparseMs()).isEqualTo(lat.layers().stream()
                        .mapToDouble(x -> Math.min(x.cooMs(), x.csrMs())).sum());
                assertThat(lat.speedup()).isCloseTo(lat.denseMs() / lat.sparseMs(), within(1e-12));
                lat.layers().forEach(x -> assertThat(x.chosen()).isEqualTo(x.cooMs() <= x.csrMs() ? "coo" : "csr"));
            }
        }
    }

    /** SRigL's condensed layout: timed for the layers that ask for it, counted in the sparse time when faster. */
    @Test
    void condensedConstantFanInLayersAreTimedAndChosenWhenFastest() {
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            float[] w = sparseMatrix(64, 128, 0.9, 3);
            List<Latency> l = Latency.measureLayers(m, List.of(new Latency.Timed("fc1", w, 64, 128, null, true),
                    new Latency.Timed("fc2", sparseMatrix(10, 64, 0.9, 4), 10, 64, null, false)), new int[]{1, 32});
            for (Latency lat : l) {
                Latency.LayerLatency fc1 = lat.layers().get(0);
                Latency.LayerLatency fc2 = lat.layers().get(1);
                assertThat(fc1.condensedMs()).isPositive();
                assertThat(fc2.condensedMs()).isNull();
                double fastest = Math.min(fc1.condensedMs(), Math.min(fc1.cooMs(), fc1.csrMs()));
                assertThat(fc1.chosen()).isEqualTo(fc1.condensedMs() == fastest ? "condensed"
                        : fc1.cooMs() <= fc1.csrMs() ? "coo" : "csr");
                assertThat(lat.sparseMs()).isEqualTo(fastest + Math.min(fc2.cooMs(), fc2.csrMs()));
                assertThat(lat.condensedMs()).isEqualTo(fc1.condensedMs() + fc2.csrMs());
            }
            assertThat(Latency.measureLayers(m, List.of(new Latency.Timed("fc2", sparseMatrix(10, 64, 0.9, 4), 10, 64,
                    null)), new int[]{1}).get(0).condensedMs()).isNull();
        }
    }
}
