package dev.sparselab.core.bench;

import dev.sparselab.core.run.Trainers;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark harness (not a test): trains LeNet-300-100 on Fashion-MNIST for a few epochs and prints
 * the training throughput of every epoch after the first (the first warms up the JIT and allocator).
 * Run through {@code bench/training-throughput.sh}, which compares JVM flag sets side by side.
 *
 * <p>Arguments: {@code [epochs=3] [method=dense] [datasetsDir=/usr/share/datasets] [model=lenet300|wide|lenet5]
 * [batch] [trainSubset]}: {@code wide} is 784-4096-4096-10 (default batch 1024), {@code lenet5} LeNet-5 (batch 128).
 * {@code bench/trainer-vs-pytorch.sh} runs it alternately with {@code bench/pytorch_loops.py}.
 */
public final class TrainingThroughput {
    private TrainingThroughput() {
    }

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String method = args.length > 1 ? args[1] : "dense";
        Path datasets = Path.of(args.length > 2 ? args[2] : "/usr/share/datasets");
        String modelName = args.length > 3 ? args[3] : "lenet300";
        ModelSpec model = switch (modelName) {
            case "lenet300" -> new ModelSpec(ModelSpec.MLP, List.of(300, 100), "relu");
            case "wide" -> new ModelSpec(ModelSpec.MLP, List.of(4096, 4096), "relu");
            case "lenet5" -> new ModelSpec(ModelSpec.LENET5, null, "relu");
            default -> throw new IllegalArgumentException("unknown model " + modelName);
        };
        int batch = args.length > 4 && !args[4].isEmpty() ? Integer.parseInt(args[4])
                : "wide".equals(modelName) ? 1024 : 128;
        Integer subset = args.length > 5 && !args[5].isEmpty() ? Integer.valueOf(args[5]) : null;
        ExperimentSpec spec = new ExperimentSpec("bench", new DatasetSpec(DatasetSpec.FASHION_MNIST, subset, null),
                model,
                new TrainingSpec(epochs, batch, OptimizerSpec.sgd(0.05, 0.9), 42L),
                SparsitySpec.of(method, "dense".equals(method) ? 0.0 : 0.9), null).withDefaults();
        Dataset train = new DatasetCache(datasets).get(spec.dataset(), 42L, true);
        List<Double> perEpoch = new ArrayList<>();
        List<Long> rssMb = new ArrayList<>();
        List<Long> heapMb = new ArrayList<>();
        Trainers.forSpec(spec, train, points -> {
            for (MetricPoint p : points) {
                if (p.name().equals("samples_per_second")) {
                    perEpoch.add(p.value());
                    rssMb.add(residentMb());
                    heapMb.add(Runtime.getRuntime().totalMemory() >> 20);
                }
            }
        }).run();
        double steady = perEpoch.subList(1, perEpoch.size()).stream().mapToDouble(Double::doubleValue)
                .average().orElse(perEpoch.get(0));
        System.out.printf("RESULT impl=sparselab model=%s method=%s batch=%d epochs=%d samples_per_second_after_warmup=%.0f "
                + "per_epoch=%s%n", modelName, method, batch, epochs, steady,
                perEpoch.stream().map(v -> String.format("%.0f", v)).toList());
        // the process's resident memory after each epoch (heap and DJL's native tensors): flat when nothing leaks
        System.out.printf("MEMORY model=%s method=%s epochs=%d rss_mb_after_epoch_1=%d rss_mb_after_epoch_%d=%d "
                        + "rss_mb_at_end=%d growth_mb_from_epoch_%d_to_end=%d rss_mb_per_epoch=%s "
                        + "java_heap_committed_mb_per_epoch=%s%n", modelName, method,
                epochs, rssMb.get(0), Math.min(10, epochs), rssMb.get(Math.min(10, epochs) - 1),
                rssMb.get(rssMb.size() - 1), Math.min(10, epochs),
                rssMb.get(rssMb.size() - 1) - rssMb.get(Math.min(10, epochs) - 1), rssMb, heapMb);
    }

    /** VmRSS of this process in MiB (Linux), -1 elsewhere. */
    static long residentMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
