package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The training recipe. {@code epochs} counts dense/sparse training epochs, not fine-tuning.
 *
 * @param algorithm         {@code backprop} (end to end), or layer-local training of an mlp without end-to-end
 *                          backward: {@code forward-forward} (Hinton) or {@code mono-forward}
 * @param goodnessThreshold forward-forward's theta (default 2.0)
 * @param reduction         mse: {@code mean} (1/2 the mean over batch and outputs, DJL's L2Loss; null means it) or
 *                          {@code sum-outputs} (1/2 the sum over outputs, mean over the batch: the gradient
 *                          (y_hat - y) per output, as SET's and most pre-2018 reference code compute it)
 * @param labelSmoothing    cross-entropy: epsilon of label smoothing, targets (1 - epsilon) one-hot + epsilon / K
 *                          (null: none)
 * @param engine            how a weight-sparse mlp is computed: {@code dense-masked} (null means it: DJL/libtorch
 *                          dense products of masked weights) or {@code sparse} (the JVM's sparse engine: weights held
 *                          and computed only at their active positions, see {@code docs/sparse-engine.md})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed, String loss,
                           Integer checkpointEvery, String algorithm, Double goodnessThreshold, String reduction,
                           Double labelSmoothing, String engine) {
    public static final String MEAN = "mean";
    public static final String SUM_OUTPUTS = "sum-outputs";
    public static final long DEFAULT_SEED = 42L;
    public static final String BACKPROP = "backprop";
    public static final String FORWARD_FORWARD = "forward-forward";
    public static final String MONO_FORWARD = "mono-forward";
    public static final String CROSS_ENTROPY = "cross-entropy";
    public static final String MSE = "mse";
    public static final String DENSE_MASKED = "dense-masked";
    public static final String SPARSE = "sparse";

    public TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed, String loss,
                        Integer checkpointEvery, String algorithm, Double goodnessThreshold, String reduction,
                        Double labelSmoothing) {
        this(epochs, batchSize, optimizer, seed, loss, checkpointEvery, algorithm, goodnessThreshold, reduction,
                labelSmoothing, null);
    }

    public TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed) {
        this(epochs, batchSize, optimizer, seed, null);
    }

    public TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed, String loss) {
        this(epochs, batchSize, optimizer, seed, loss, null);
    }

    public TrainingSpec(Integer epochs, Integer batchSize, OptimizerSpec optimizer, Long seed, String loss,
                        Integer checkpointEvery) {
        this(epochs, batchSize, optimizer, seed, loss, checkpointEvery, null, null, null, null);
    }

    /** Computed by the sparse engine (weights and products at active positions only). */
    public boolean sparseEngine() {
        return SPARSE.equals(engine);
    }

    /** A copy computed by another engine ({@code null}: dense-masked). */
    public TrainingSpec withEngine(String newEngine) {
        return new TrainingSpec(epochs, batchSize, optimizer, seed, loss, checkpointEvery, algorithm,
                goodnessThreshold, reduction, labelSmoothing, DENSE_MASKED.equals(newEngine) ? null : newEngine);
    }

    /** Trained layer by layer (no end-to-end backward pass). */
    public boolean local() {
        return FORWARD_FORWARD.equals(algorithm) || MONO_FORWARD.equals(algorithm);
    }

    TrainingSpec withDefaults() {
        return new TrainingSpec(
                epochs == null ? 1 : epochs,
                batchSize == null ? 128 : batchSize,
                optimizer == null ? OptimizerSpec.DEFAULT : optimizer.withDefaults(),
                seed == null ? DEFAULT_SEED : seed,
                loss == null ? CROSS_ENTROPY : loss,
                checkpointEvery == null ? 1 : checkpointEvery,
                // backprop is the default and stays implicit: specs stored before the field existed keep their hash
                BACKPROP.equals(algorithm) ? null : algorithm,
                FORWARD_FORWARD.equals(algorithm) ? (goodnessThreshold == null ? Double.valueOf(2.0)
                        : goodnessThreshold) : null,
                // the defaults (mean, no smoothing) stay implicit, for the same reason
                MEAN.equals(reduction) ? null : reduction,
                labelSmoothing == null || labelSmoothing == 0 ? null : labelSmoothing,
                // dense-masked is the default and stays implicit, for the same reason
                DENSE_MASKED.equals(engine) ? null : engine);
    }

    TrainingSpec withSeed(long newSeed) {
        return new TrainingSpec(epochs, batchSize, optimizer, newSeed, loss, checkpointEvery, algorithm,
                goodnessThreshold, reduction, labelSmoothing, engine);
    }
}
