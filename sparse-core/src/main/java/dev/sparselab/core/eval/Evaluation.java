package dev.sparselab.core.eval;

import java.util.List;

/**
 * What the evaluator measures of a trained model on a test split.
 *
 * @param testAccuracy fraction of test examples classified correctly
 * @param testLoss     mean softmax cross-entropy over the test split
 * @param sparsity     fraction of exactly-zero weights over all sparsified layers
 * @param parameters   weights in sparsified layers (dense count)
 * @param nonZero      non-zero weights in sparsified layers
 * @param examples     test examples evaluated
 * @param layers       per-layer counts, in forward order
 * @param activations  per hidden layer, the fraction of zero activations over the test split
 * @param cost         FLOPs per example and storage, dense and sparse
 * @param nmCompliance for N:M runs, the fraction of groups of m consecutive weights with at most n non-zeros
 *                     (1.0 = the checkpoint obeys N:M everywhere); null for other methods
 * @param latency      measured inference latency, dense vs sparse, at batch 1 and 256
 * @param top5Accuracy fraction of test examples whose label is among the 5 highest outputs; null with 10
 *                     classes or fewer
 * @param provenance   where the evaluation ran: test data hash, library versions, device
 * @param conditional  for conditional-computation models: bits per character, active parameters, expert load,
 *                     attention density; null otherwise. For them {@code sparsity} is the fraction of the
 *                     parameters a token does not use (1 - active / total), and {@code nonZero} the active ones.
 */
public record Evaluation(double testAccuracy, double testLoss, double sparsity, long parameters, long nonZero,
                         int examples, List<LayerSparsity> layers, List<ActivationSparsity> activations, Cost cost,
                         Double nmCompliance, List<Latency> latency, Double top5Accuracy,
                         EvaluationProvenance provenance, ConditionalReport conditional) {

    /** Where an evaluation ran. */
    public record EvaluationProvenance(String testDatasetHash, String testDataset, String djlVersion, String engine,
                                       String engineVersion, String device) {
    }

    /** Activation sparsity of one hidden layer. */
    public record ActivationSparsity(String layer, double sparsity) {
    }

    /**
     * Sparsity of one layer's weight.
     *
     * @param activeShape rows and columns that are not entirely zero: the dense shape left after
     *                    structured pruning
     */
    public record LayerSparsity(String name, long[] shape, long parameters, long nonZero, double sparsity,
                                long[] activeShape) {
    }
}
