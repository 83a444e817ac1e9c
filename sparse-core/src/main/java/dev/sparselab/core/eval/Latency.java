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
 * @param condensedMs   SRigL models: sum over layers of the condensed constant fan-in kernel
 *                      ({@link dev.sparselab.core.engine.CondensedMatrix}; the CSR time for a layer it does not
 *                      apply to: a conv, a layer kept dense); null for other models
 */
public record Latency(int batch, double denseMs, double cooMs, double csrMs, double sparseMs, double speedup,
                      List<LayerLatency> layers, Double condensedMs) {

    /**
     * One layer's median times in milliseconds and the fastest sparse kernel ({@code coo}, {@code csr} or
     * {@code condensed}); {@code condensedMs} only for the sparsified Linear layers of an SRigL model.
     */
    public record LayerLatency(String name, double denseMs, double cooMs, double csrMs, String chosen,
                               Double condensedMs) {
        LayerLatency(String name, double denseMs, double cooMs, double csrMs) {
            this(name, denseMs, cooMs, csrMs, cooMs <= csrMs ? "coo" : "csr", null);
        }

        LayerLatency withCondensed(double ms) {
            return new LayerLatency(name, denseMs, cooMs, csrMs, ms < Math.min(cooMs, csrMs) ? "condensed" : chosen,
                    ms);
        }

        double fastestSparseMs() {
            return condensedMs == null ? Math.min(cooMs, csrMs) : Math.min(condensedMs, Math.min(cooMs, csrMs));
        }
    }

    static final int WARMUP = 3;
    static final int REPEATS = 11;

    /**
     * A layer to time: its weight (row-major [out, fanIn], a conv kernel flattened) and, for a conv, its geometry.
     */
    public record Timed(String name, float[] weight, int out, int fanIn, ConvGeometry conv, boolean condensed) {
        public Timed(String name, float[] weight, int out, int fanIn, ConvGeometry conv) {
            this(name, weight, out, fanIn, conv, false);
        }
    }

    /** Times every layer at each batch size; conv layers include the im2col of their sparse paths. */
    public static List<Latency> measureLayers(NDManager manager, List<Timed> timed, int[] batches) {
        List<Latency> out = new ArrayList<>();
        for (int batch : batches) {
            List<LayerLatency> layers = new ArrayList<>();
            for (Timed t : timed) {
                LayerLatency l = t.conv() == null ? layer(manager, t.name(), t.weight(), t.out(), t.fanIn(), batch)
                        : convLayer(manager, t, batch);
                layers.add(t.condensed() && t.conv() == null ? l.withCondensed(condensed(t, batch)) : l);
            }
            out.add(of(batch, layers));
        }
        return out;
    }

    /** A model's latency at one batch size: the sums over its layers, the sparse one of each layer's faster kernel. */
    static Latency of(int batch, List<LayerLatency> layers) {
        double dense = 0;
        double coo = 0;
        double csr = 0;
        double sparse = 0;
        double condensed = 0;
        boolean anyCondensed = false;
        for (LayerLatency l : layers) {
            dense += l.denseMs();
            coo += l.cooMs();
            csr += l.csrMs();
            sparse += l.fastestSparseMs();
            condensed += l.condensedMs() == null ? l.csrMs() : l.condensedMs();
            anyCondensed |= l.condensedMs() != null;
        }
        return new Latency(batch, dense, coo, csr, sparse, dense / sparse, layers, anyCondensed ? condensed : null);
    }

    /** The condensed constant fan-in kernel's time for a Linear layer. */
    static double condensed(Timed t, int batch) {
        dev.sparselab.core.engine.CondensedMatrix c =
                dev.sparselab.core.engine.CondensedMatrix.of(t.weight(), t.out(), t.fanIn());
        float[] x = new float[batch * t.fanIn()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        float[] xT = dev.sparselab.core.engine.SparseMatrix.featureMajor(x, batch, t.fanIn());
        float[] y = new float[t.out() * batch];
        return median(() -> c.forward(xT, batch, y));
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
            return new LayerLatency(t.name(), denseMs, cooMs, csrMs);
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
            return new LayerLatency(name, denseMs, cooMs, csrMs);
        }
    }

    /** Layers of more weights than this have their dense time measured on their first rows and scaled. */
    static final long DENSE_TIMING_LIMIT = 1L << 25;

    /**
     * Times the layers of a sparse-engine model (weights held at their active positions) at each batch size: the
     * engine's kernel, PyTorch COO built from the same entries, and the dense product of the densified weights; a
     * layer of more than {@value #DENSE_TIMING_LIMIT} weights (too large to densify) has its dense time measured on
     * its first rows ({@value #DENSE_TIMING_LIMIT} weights) and scaled to all rows (a GEMM's time is linear in them).
     */
    public static List<Latency> measureSparse(NDManager manager, List<String> names,
                                              List<dev.sparselab.core.engine.SparseMatrix> weights, int[] batches) {
        List<Latency> out = new ArrayList<>();
        for (int batch : batches) {
            List<LayerLatency> layers = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                layers.add(sparseLayer(manager, names.get(i), weights.get(i), batch));
            }
            out.add(of(batch, layers));
        }
        return out;
    }

    static LayerLatency sparseLayer(NDManager parent, String name, dev.sparselab.core.engine.SparseMatrix w,
                                    int batch) {
        int rows = w.rows();
        int cols = w.cols();
        try (NDManager m = parent.newSubManager()) {
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.37);
            }
            NDArray xT = m.create(x, new Shape(batch, cols)).transpose().duplicate();
            int denseRows = (int) Math.max(1, Math.min(rows, DENSE_TIMING_LIMIT / cols));
            float[] slice = new float[denseRows * cols];
            int[] rowPtr = w.rowPtr();
            int[] colIdx = w.colIdx();
            float[] values = w.values();
            for (int r = 0; r < denseRows; r++) {
                for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
                    slice[r * cols + colIdx[k]] = values[k];
                }
            }
            NDArray wDense = m.create(slice, new Shape(denseRows, cols));
            double denseMs = median(() -> {
                try (NDArray y = wDense.matMul(xT)) {
                    y.getFloat(0, 0);
                }
            }) * rows / denseRows;
            long[][] indices = new long[2][values.length];
            for (int r = 0; r < rows; r++) {
                for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
                    indices[0][k] = r;
                    indices[1][k] = colIdx[k];
                }
            }
            NDArray wCoo;
            try (NDArray borrowed = m.createCoo(FloatBuffer.wrap(values.clone()), indices, new Shape(rows, cols))) {
                wCoo = borrowed.duplicate();
            }
            double cooMs = median(() -> {
                try (NDArray y = wCoo.matMul(xT)) {
                    y.getFloat(0, 0);
                }
            });
            float[] xFeatureMajor = dev.sparselab.core.engine.SparseMatrix.featureMajor(x, batch, cols);
            float[] y = new float[rows * batch];
            double csrMs = median(() -> w.forward(xFeatureMajor, batch, y));
            return new LayerLatency(name, denseMs, cooMs, csrMs);
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
     * is timed 5 times after one warm-up (its median is stable, and evaluations stay short), over a second 3 times.
     */
    private static double median(Runnable work) {
        long t0 = System.nanoTime();
        work.run();
        double first = (System.nanoTime() - t0) / 1e6;
        boolean slow = first > 50;
        for (int i = 1; i < (slow ? 1 : WARMUP); i++) {
            work.run();
        }
        // work of seconds (a billion-weight layer's COO product) is timed 3 times: the evaluation stays minutes
        int repeats = first > 1000 ? 3 : slow ? 5 : REPEATS;
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
