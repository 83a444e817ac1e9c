package dev.sparselab.core.eval;

import java.util.List;

/**
 * What the evaluator measures of a trained model on a test split.
 *
 * @param testAccuracy fraction of test examples classified correctly
 * @param testLoss     mean softmax cross-entropy over the test split
 * @param sparsity     fraction of exactly-zero weights over the sparsified layers: every weight layer except those
 *                     the method keeps dense ({@code denseLayers}, e.g. IMP's last layer); biases are not counted
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
 * @param allWeights   the same count over all weight layers, the ones kept dense included (biases are not counted):
 *                     what a model's size on disk follows; equal to the sparsified-layer figures when no layer is
 *                     kept dense
 */
public record Evaluation(double testAccuracy, double testLoss, double sparsity, long parameters, long nonZero,
                         int examples, List<LayerSparsity> layers, List<ActivationSparsity> activations, Cost cost,
                         Double nmCompliance, List<Latency> latency, Double top5Accuracy,
                         EvaluationProvenance provenance, ConditionalReport conditional, WeightCount allWeights) {

    /** Weights counted over a set of layers: dense count, non-zeros, and the fraction that is zero. */
    public record WeightCount(long parameters, long nonZero, double sparsity) {
        public static WeightCount of(long parameters, long nonZero) {
            return new WeightCount(parameters, nonZero, parameters == 0 ? 0.0 : 1.0 - (double) nonZero / parameters);
        }
    }

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
     * @param sparsified  whether the method sparsifies this layer (false: kept dense by {@code denseLayers})
     */
    public record LayerSparsity(String name, long[] shape, long parameters, long nonZero, double sparsity,
                                long[] activeShape, boolean sparsified) {
    }
}
