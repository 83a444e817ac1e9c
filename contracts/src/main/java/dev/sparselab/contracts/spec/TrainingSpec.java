package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The training recipe. {@code epochs} counts dense/sparse training epochs, not fine-tuning. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed) {
    public static final long DEFAULT_SEED = 42L;

    TrainingSpec withDefaults() {
        return new TrainingSpec(
                epochs == null ? 1 : epochs,
                batchSize == null ? 128 : batchSize,
                optimizer == null ? OptimizerSpec.DEFAULT : optimizer.withDefaults(),
                seed == null ? DEFAULT_SEED : seed);
    }

    TrainingSpec withSeed(long newSeed) {
        return new TrainingSpec(epochs, batchSize, optimizer, newSeed);
    }
}
