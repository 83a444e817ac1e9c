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
 */
public record Evaluation(double testAccuracy, double testLoss, double sparsity, long parameters, long nonZero,
                         int examples, List<LayerSparsity> layers) {

    /** Sparsity of one layer's weight. */
    public record LayerSparsity(String name, long[] shape, long parameters, long nonZero, double sparsity) {
    }
}
