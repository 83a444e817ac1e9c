package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The training recipe. {@code epochs} counts dense/sparse training epochs, not fine-tuning. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed, String loss,
                           Integer checkpointEvery) {
    public static final long DEFAULT_SEED = 42L;
    public static final String CROSS_ENTROPY = "cross-entropy";
    public static final String MSE = "mse";

    public TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed) {
        this(epochs, batchSize, optimizer, seed, null);
    }

    public TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed, String loss) {
        this(epochs, batchSize, optimizer, seed, loss, null);
    }

    TrainingSpec withDefaults() {
        return new TrainingSpec(
                epochs == null ? 1 : epochs,
                batchSize == null ? 128 : batchSize,
                optimizer == null ? OptimizerSpec.DEFAULT : optimizer.withDefaults(),
                seed == null ? DEFAULT_SEED : seed,
                loss == null ? CROSS_ENTROPY : loss,
                checkpointEvery == null ? 1 : checkpointEvery);
    }

    TrainingSpec withSeed(long newSeed) {
        return new TrainingSpec(epochs, batchSize, optimizer, newSeed, loss, checkpointEvery);
    }
}
