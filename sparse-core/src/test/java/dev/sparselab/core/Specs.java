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
                new TrainingSpec(epochs, 64, new OptimizerSpec("sgd", lr, 0.9, 0.0), 7L),
                new SparsitySpec(method, target, null), null).withDefaults();
    }

    public static ExperimentSpec lenet300(String dataset, String method, double target, int epochs) {
        return new ExperimentSpec("lenet-300-100", new DatasetSpec(dataset, null, null),
                new ModelSpec(ModelSpec.MLP, List.of(300, 100), "relu"),
                new TrainingSpec(epochs, 128, new OptimizerSpec("sgd", 0.05, 0.9, 0.0), 42L),
                new SparsitySpec(method, target, null), null).withDefaults();
    }
}
