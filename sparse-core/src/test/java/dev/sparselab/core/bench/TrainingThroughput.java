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
 * <p>Arguments: {@code [epochs=3] [method=dense] [datasetsDir=/usr/share/datasets]}.
 */
public final class TrainingThroughput {
    private TrainingThroughput() {
    }

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String method = args.length > 1 ? args[1] : "dense";
        Path datasets = Path.of(args.length > 2 ? args[2] : "/usr/share/datasets");
        ExperimentSpec spec = new ExperimentSpec("bench", new DatasetSpec(DatasetSpec.FASHION_MNIST, null, null),
                new ModelSpec(ModelSpec.MLP, List.of(300, 100), "relu"),
                new TrainingSpec(epochs, 128, OptimizerSpec.sgd(0.05, 0.9), 42L),
                SparsitySpec.of(method, "dense".equals(method) ? 0.0 : 0.9), null).withDefaults();
        Dataset train = new DatasetCache(datasets).get(spec.dataset(), 42L, true);
        List<Double> perEpoch = new ArrayList<>();
        Trainers.forSpec(spec, train, points -> {
            for (MetricPoint p : points) {
                if (p.name().equals("samples_per_second")) {
                    perEpoch.add(p.value());
                }
            }
        }).run();
        double steady = perEpoch.subList(1, perEpoch.size()).stream().mapToDouble(Double::doubleValue)
                .average().orElse(perEpoch.get(0));
        System.out.printf("RESULT method=%s epochs=%d samples_per_second_after_warmup=%.0f per_epoch=%s%n",
                method, epochs, steady, perEpoch.stream().map(v -> String.format("%.0f", v)).toList());
    }
}
