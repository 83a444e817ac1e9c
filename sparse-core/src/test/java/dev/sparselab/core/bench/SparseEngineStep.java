package dev.sparselab.core.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.engine.SparseEngineModel;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.NoGrad;
import dev.sparselab.core.train.StepModel;
import dev.sparselab.core.train.StepObserver;
import dev.sparselab.core.train.WeightSparseModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark harness (not a test): the training step of an mlp 784-W-W-10 on Fashion-MNIST with a static random mask
 * (method {@code random}), on the sparse engine or the masked-dense engine, as the trainer runs it (the models'
 * forward-backward and update); prints the median step time after warm-up, the time to open the model, the
 * process's peak resident memory and the Java heap in use after a collection with the model open (the sparse
 * engine's model lives there; the masked-dense engine's tensors live in libtorch's native memory). One configuration per JVM (peak memory is the process's); run through
 * {@code bench/sparse-engine-step.sh}, which alternates the engines and PyTorch.
 *
 * <p>Arguments: {@code hidden (e.g. 4096,4096) sparsity engine(sparse|dense-masked) [steps=10] [batch=128]
 * [datasetsDir=/usr/share/datasets]}.
 */
public final class SparseEngineStep {
    private SparseEngineStep() {
    }

    public static void main(String[] args) {
        List<Integer> hidden = Arrays.stream(args[0].split(",")).map(Integer::valueOf).toList();
        double sparsity = Double.parseDouble(args[1]);
        String engine = args[2];
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 128;
        Path datasets = Path.of(args.length > 5 ? args[5] : "/usr/share/datasets");
        int warmup = 2;
        ExperimentSpec spec = new ExperimentSpec("bench", new DatasetSpec(DatasetSpec.FASHION_MNIST,
                batch * (steps + warmup), null), new ModelSpec(ModelSpec.MLP, hidden, "relu"),
                new TrainingSpec(1, batch, OptimizerSpec.sgd(0.01, 0.9), 42L).withEngine(engine),
                SparsitySpec.of("random", sparsity), null).withDefaults();
        Dataset train = new DatasetCache(datasets).get(spec.dataset(), 42L, true);
        Engines.engine().setRandomSeed(42);
        long t0 = System.nanoTime();
        List<Double> ms = new ArrayList<>();
        try (NoGrad noGrad = NoGrad.enter(); StepModel model = "sparse".equals(engine)
                ? new SparseEngineModel(spec, train, p -> { })
                : new WeightSparseModel(spec, train, p -> { }, Device.cpu(), StepObserver.NONE)) {
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            model.startTotals(new StepModel.Totals(0, 0, 0));
            int[] order = new int[train.size()];
            Arrays.setAll(order, i -> i);
            for (int s = 0; s < steps + warmup; s++) {
                long start = System.nanoTime();
                try (NDManager sub = model.manager().newSubManager()) {
                    model.forwardBackward(order, s * batch, batch, s + 1, 1, sub);
                    model.update(s + 1, batch, 1, sub);
                }
                if (s >= warmup) {
                    ms.add((System.nanoTime() - start) / 1e6);
                }
            }
            model.totals();
            System.gc();
            long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
            double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("RESULT impl=%s hidden=%s sparsity=%.2f batch=%d steps=%d step_ms_median=%.1f "
                            + "step_ms_min=%.1f open_s=%.1f peak_rss_mb=%d java_heap_used_mb=%d%n", engine, args[0], sparsity, batch,
                    steps, sorted[sorted.length / 2], sorted[0], openSeconds, peakMb(), heapMb);
        }
    }

    /** VmHWM (the process's peak resident memory) in MiB (Linux), -1 elsewhere. */
    static long peakMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
