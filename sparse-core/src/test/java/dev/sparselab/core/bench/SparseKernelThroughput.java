package dev.sparselab.core.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.core.engine.SparseMatrix;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Benchmark harness (not a test), issue 18: the compute of one training step of a linear layer, the sparse kernels
 * ({@link SparseMatrix}: forward SpMM, backward SpMM with the transpose, SDDMM weight gradient) against what the
 * masked-dense engine does through DJL/libtorch (the forward, input-gradient and weight-gradient GEMMs and the mask
 * applied to the weight gradient), alternating in one JVM, median of the timed repetitions after warm-up.
 *
 * <p>Arguments: {@code [out=4096] [in=4096] [batch=128] [sparsities=0.9,0.95,0.98,0.99] [reps=20]}. Run with
 * {@code bench/sparse-kernels.sh}; C2 must be on (the trainer's {@code -XX:TieredStopAtLevel=1} does not vectorize).
 */
public final class SparseKernelThroughput {
    private SparseKernelThroughput() {
    }

    public static void main(String[] args) {
        int out = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int in = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        double[] sparsities = Arrays.stream((args.length > 3 ? args[3] : "0.9,0.95,0.98,0.99").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        int reps = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        SplittableRandom random = new SplittableRandom(1);
        float[] weights = new float[out * in];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextGaussian() * 0.02f;
        }
        float[] x = new float[in * batch];
        float[] dy = new float[out * batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < dy.length; i++) {
            dy[i] = (float) random.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            for (double sparsity : sparsities) {
                float[] mask = new float[out * in];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = random.nextDouble() < sparsity ? 0f : 1f;
                }
                SparseMatrix w = SparseMatrix.of(weights, mask, out, in);
                float[] yT = new float[out * batch];
                float[] dxT = new float[in * batch];
                float[] grad = new float[w.nonZeros()];
                NDArray dw = manager.create(weights, new Shape(out, in));
                NDArray dm = manager.create(mask, new Shape(out, in));
                NDArray dx = manager.create(x, new Shape(batch, in));
                NDArray ddy = manager.create(dy, new Shape(batch, out));
                double[] sparse = new double[reps];
                double[] dense = new double[reps];
                for (int r = -3; r < reps; r++) { // three warm-up repetitions of each
                    long t0 = System.nanoTime();
                    w.forward(x, batch, yT);
                    w.backwardInput(dy, batch, dxT);
                    w.weightGradient(dy, x, batch, grad);
                    long t1 = System.nanoTime();
                    try (NDManager step = manager.newSubManager()) {
                        // the inputs join the step's manager until it closes, so every result is freed with it
                        step.tempAttachAll(dx, dw, ddy, dm);
                        dx.matMul(dw.transpose());
                        ddy.matMul(dw);
                        ddy.transpose().matMul(dx).mul(dm);
                    }
                    long t2 = System.nanoTime();
                    if (r >= 0) {
                        sparse[r] = (t1 - t0) / 1e6;
                        dense[r] = (t2 - t1) / 1e6;
                    }
                }
                Arrays.sort(sparse);
                Arrays.sort(dense);
                double s = sparse[reps / 2];
                double d = dense[reps / 2];
                double flops = 3.0 * 2 * w.nonZeros() * (double) batch;
                System.out.printf("RESULT layer=%dx%d batch=%d sparsity=%.2f nnz=%d sparse_ms=%.2f masked_dense_ms=%.2f "
                                + "speedup=%.2f sparse_gflops=%.2f dense_gflops=%.2f%n", out, in, batch, sparsity,
                        w.nonZeros(), s, d, d / s, flops / s / 1e6, 3.0 * 2 * out * (double) in * batch / d / 1e6);
                dw.close();
                dm.close();
                dx.close();
                ddy.close();
            }
        }
    }
}
