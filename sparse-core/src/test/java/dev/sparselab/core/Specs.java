package dev.sparselab.core;

import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import java.util.List;

/** Specs for tests. */
public final class Specs {
    private Specs() {
    }

    public static ExperimentSpec synthetic(String method, double target, int epochs, double lr) {
        return new ExperimentSpec("test", new DatasetSpec(DatasetSpec.SYNTHETIC, null, null),
                new ModelSpec(ModelSpec.MLP, List.of(64, 32), "relu"),
                new TrainingSpec(epochs, 64, OptimizerSpec.sgd(lr, 0.9), 7L),
                SparsitySpec.of(method, target), null).withDefaults();
    }

    /** A synthetic-data spec with the given sparsity section (defaults are filled in). */
    public static ExperimentSpec synthetic(SparsitySpec sparsity, int epochs) {
        return new ExperimentSpec("test", new DatasetSpec(DatasetSpec.SYNTHETIC, null, null),
                new ModelSpec(ModelSpec.MLP, List.of(64, 32), "relu"),
                new TrainingSpec(epochs, 64, OptimizerSpec.sgd(0.05, 0.9), 7L), sparsity, null).withDefaults();
    }

    public static ExperimentSpec lenet300(String dataset, String method, double target, int epochs) {
        return new ExperimentSpec("lenet-300-100", new DatasetSpec(dataset, null, null),
                new ModelSpec(ModelSpec.MLP, List.of(300, 100), "relu"),
                new TrainingSpec(epochs, 128, OptimizerSpec.sgd(0.05, 0.9), 42L),
                SparsitySpec.of(method, target), null).withDefaults();
    }
}
