package dev.sparselab.core.eval;

import ai.djl.ndarray.NDManager;
import dev.sparselab.core.train.Engines;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Benchmark harness (not a test), issue 18 item 3: the evaluator's latency of one Linear layer, dense (DJL) against
 * SparseLab's two CSR kernels (example-major, one example at a time, {@link Csr#multiplyTransposed}, which it used
 * alone before, and the sparse engine's feature-major kernel) and what it reports now ({@link Latency#layer}: the
 * faster of the two), at batch 1 and 256, in one JVM.
 * Arguments: {@code [out=300] [in=784] [sparsities=0.9,0.99]}; run with {@code bench/latency-kernels.sh}.
 */
public final class LatencyKernels {
    private LatencyKernels() {
    }

    public static void main(String[] args) {
        int out = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int in = args.length > 1 ? Integer.parseInt(args[1]) : 784;
        double[] sparsities = Arrays.stream((args.length > 2 ? args[2] : "0.9,0.99").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        SplittableRandom random = new SplittableRandom(3);
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            for (double sparsity : sparsities) {
                float[] w = new float[out * in];
                for (int i = 0; i < w.length; i++) {
                    w[i] = random.nextDouble() < sparsity ? 0f : (float) random.nextGaussian();
                }
                for (int batch : new int[]{1, 256}) {
                    Latency.LayerLatency now = Latency.layer(m, "layer", w, out, in, batch);
                    float[] x = new float[batch * in];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) Math.sin(i * 0.37);
                    }
                    Csr old = Csr.of(w, out, in);
                    double[] ms = new double[21];
                    for (int r = -5; r < ms.length; r++) {
                        long t0 = System.nanoTime();
                        old.multiplyTransposed(x, batch);
                        if (r >= 0) {
                            ms[r] = (System.nanoTime() - t0) / 1e6;
                        }
                    }
                    Arrays.sort(ms);
                    dev.sparselab.core.engine.SparseMatrix engine =
                            dev.sparselab.core.engine.SparseMatrix.ofNonZeros(w, out, in);
                    float[] xT = dev.sparselab.core.engine.SparseMatrix.featureMajor(x, batch, in);
                    float[] yT = new float[out * batch];
                    double[] ems = new double[21];
                    for (int r = -5; r < ems.length; r++) {
                        long t0 = System.nanoTime();
                        engine.forward(xT, batch, yT);
                        if (r >= 0) {
                            ems[r] = (System.nanoTime() - t0) / 1e6;
                        }
                    }
                    Arrays.sort(ems);
                    System.out.printf("RESULT layer=%dx%d sparsity=%.2f batch=%d dense_ms=%.4f coo_ms=%.4f "
                                    + "csr_example_major_ms=%.4f csr_engine_ms=%.4f csr_reported_ms=%.4f "
                                    + "speedup_before=%.2f speedup_now=%.2f%n",
                            out, in, sparsity, batch, now.denseMs(), now.cooMs(), ms[ms.length / 2],
                            ems[ems.length / 2], now.csrMs(),
                            now.denseMs() / Math.min(now.cooMs(), ms[ms.length / 2]),
                            now.denseMs() / Math.min(now.cooMs(), now.csrMs()));
                }
            }
        }
    }
}
