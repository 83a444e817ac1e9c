package dev.sparselab.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measured inference latency of the weight layers of a model, dense against two real sparse kernels, per
 * layer and batch size: the dense product W X (a conv: PyTorch's convolution) through DJL/PyTorch;
 * PyTorch's COO sparse product through DJL; SparseLab's CSR kernel in Java (a Linear layer: the faster of
 * {@link Csr}'s example-at-a-time product and the sparse engine's {@link dev.sparselab.core.engine.SparseMatrix#forward},
 * feature-major like the dense product's input; a conv: {@link Csr}). A conv's sparse
 * paths multiply the kernel with the im2col patch matrix ({@link ConvGeometry#im2col}), whose construction
 * is timed with them. Each figure is the median of repeated
 * timings after warm-up. The sparse latency of a model uses, per layer, the faster of the two sparse
 * kernels (they are chosen per shape). Bias additions and activations are the same on every path and are
 * not timed.
 *
 * @param batch         examples per forward pass
 * @param denseMs       sum over layers of the dense kernel's median time
 * @param cooMs         same, PyTorch COO
 * @param csrMs         same, Java CSR
 * @param sparseMs      sum over layers of the faster sparse kernel
 * @param speedup       denseMs / sparseMs, the realized speed-up
 * @param layers        per layer: its times and the chosen kernel
 */
public record Latency(int batch, double denseMs, double cooMs, double csrMs, double sparseMs, double speedup,
                      List<LayerLatency> layers) {

    /** One layer's median times in milliseconds and the faster sparse kernel ({@code coo} or {@code csr}). */
    public record LayerLatency(String name, double denseMs, double cooMs, double csrMs, String chosen) {
    }

    static final int WARMUP = 3;
    static final int REPEATS = 11;

    /**
     * A layer to time: its weight (row-major [out, fanIn], a conv kernel flattened) and, for a conv, its geometry.
     */
    public record Timed(String name, float[] weight, int out, int fanIn, ConvGeometry conv) {
    }

    /** Times every layer at each batch size; conv layers include the im2col of their sparse paths. */
    public static List<Latency> measureLayers(NDManager manager, List<Timed> timed, int[] batches) {
        List<Latency> out = new ArrayList<>();
        for (int batch : batches) {
            List<LayerLatency> layers = new ArrayList<>();
            double dense = 0;
            double coo = 0;
            double csr = 0;
            double sparse = 0;
            for (Timed t : timed) {
                LayerLatency l = t.conv() == null ? layer(manager, t.name(), t.weight(), t.out(), t.fanIn(), batch)
                        : convLayer(manager, t, batch);
                layers.add(l);
                dense += l.denseMs();
                coo += l.cooMs();
                csr += l.csrMs();
                sparse += Math.min(l.cooMs(), l.csrMs());
            }
            out.add(new Latency(batch, dense, coo, csr, sparse, dense / sparse, layers));
        }
        return out;
    }

    static LayerLatency convLayer(NDManager parent, Timed t, int batch) {
        ConvGeometry g = t.conv();
        try (NDManager m = parent.newSubManager()) {
            float[] x = new float[batch * g.channels() * g.height() * g.width()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.37);
            }
            NDArray input = m.create(x, new Shape(batch, g.channels(), g.height(), g.width()));
            NDArray kernel = m.create(t.weight(), new Shape(t.out(), g.channels(), g.kernelH(), g.kernelW()));
            NDArray bias = m.zeros(new Shape(t.out()));
            Shape stride = new Shape(g.stride(), g.stride());
            Shape padding = new Shape(g.padding(), g.padding());
            double denseMs = median(() -> {
                try (ai.djl.ndarray.NDList y = Conv2d.conv2d(input, kernel, bias, stride, padding)) {
                    y.singletonOrThrow().getFloat(0, 0, 0, 0);
                }
            });
            int rows = batch * g.positions();
            NDArray wCoo = coo(m, t.weight(), t.out(), g.fanIn());
            double cooMs = median(() -> {
                try (NDManager step = m.newSubManager()) {
                    NDArray cols = step.create(g.im2col(x, batch), new Shape(rows, g.fanIn()));
                    wCoo.matMul(cols.transpose()).getFloat(0, 0);
                }
            });
            Csr csr = Csr.of(t.weight(), t.out(), g.fanIn());
            double csrMs = median(() -> csr.multiplyTransposed(g.im2col(x, batch), rows));
            return new LayerLatency(t.name(), denseMs, cooMs, csrMs, cooMs <= csrMs ? "coo" : "csr");
        }
    }

    /**
     * Times the given Linear weights (row-major [out, in]) at each batch size.
     *
     * @param names   layer names
     * @param weights each layer's weight values
     * @param shapes  each layer's [out, in]
     */
    public static List<Latency> measure(NDManager manager, List<String> names, List<float[]> weights,
                                        List<int[]> shapes, int[] batches) {
        List<Timed> timed = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            timed.add(new Timed(names.get(i), weights.get(i), shapes.get(i)[0], shapes.get(i)[1], null));
        }
        return measureLayers(manager, timed, batches);
    }

    static LayerLatency layer(NDManager parent, String name, float[] w, int rows, int cols, int batch) {
        try (NDManager m = parent.newSubManager()) {
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.37);
            }
            NDArray wDense = m.create(w, new Shape(rows, cols));
            NDArray xT = m.create(x, new Shape(batch, cols)).transpose().duplicate();
            double denseMs = median(() -> {
                try (NDArray y = wDense.matMul(xT)) {
                    y.getFloat(0, 0);
                }
            });
            NDArray wCoo = coo(m, w, rows, cols);
            double cooMs = median(() -> {
                try (NDArray y = wCoo.matMul(xT)) {
                    y.getFloat(0, 0);
                }
            });
            // SparseLab's two CSR kernels, the faster counts: one example at a time ({@link Csr}) and the sparse
            // engine's (feature-major, like the dense product's input; batch blocks over the cores)
            Csr csr = Csr.of(w, rows, cols);
            double exampleMajorMs = median(() -> csr.multiplyTransposed(x, batch));
            dev.sparselab.core.engine.SparseMatrix engine =
                    dev.sparselab.core.engine.SparseMatrix.ofNonZeros(w, rows, cols);
            float[] xFeatureMajor = dev.sparselab.core.engine.SparseMatrix.featureMajor(x, batch, cols);
            float[] y = new float[rows * batch];
            double csrMs = Math.min(exampleMajorMs, median(() -> engine.forward(xFeatureMajor, batch, y)));
            return new LayerLatency(name, denseMs, cooMs, csrMs, cooMs <= csrMs ? "coo" : "csr");
        }
    }

    static NDArray coo(NDManager m, float[] w, int rows, int cols) {
        int nnz = 0;
        for (float v : w) {
            if (v != 0f) {
                nnz++;
            }
        }
        float[] values = new float[nnz];
        long[][] indices = new long[2][nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = w[r * cols + c];
                if (v != 0f) {
                    values[k] = v;
                    indices[0][k] = r;
                    indices[1][k] = c;
                    k++;
                }
            }
        }
        // PyTorch may keep pointing at the buffers DJL made for the indices and values, which the JVM can
        // free once this method returns: clone into memory PyTorch owns
        try (NDArray borrowed = m.createCoo(FloatBuffer.wrap(values), indices, new Shape(rows, cols))) {
            return borrowed.duplicate();
        }
    }

    /**
     * The median of {@value #REPEATS} timings after {@value #WARMUP} warm-ups; work that takes over 50 ms
     * is timed 5 times after one warm-up (its median is stable, and evaluations stay short).
     */
    private static double median(Runnable work) {
        long t0 = System.nanoTime();
        work.run();
        boolean slow = (System.nanoTime() - t0) / 1e6 > 50;
        for (int i = 1; i < (slow ? 1 : WARMUP); i++) {
            work.run();
        }
        int repeats = slow ? 5 : REPEATS;
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[repeats / 2];
    }

}
