package dev.sparselab.core.train;

/**
 * Training FLOPs as the RigL paper counts them, step by step: per example a forward pass f_S, the backward pass
 * to the activations f_S, and the weight gradients f_S, or f_D when they are computed dense (RigL's update steps,
 * methods that need dense gradients). f_S and f_D are the model's sparse and dense inference FLOPs per example at
 * that step (weight-sparse models follow their masks; conditional models their routing). Shared by every model,
 * so training costs compare across them.
 */
public final class FlopCounter {
    private double total;

    /**
     * Adds one step over {@code examples} examples.
     *
     * @param sparseFlops  f_S: inference FLOPs per example with the current sparsity
     * @param denseFlops   f_D: the same network's dense inference FLOPs per example
     * @param denseWeights whether this step's weight gradients are dense
     */
    public void countStep(long examples, double sparseFlops, double denseFlops, boolean denseWeights) {
        total += examples * (2 * sparseFlops + (denseWeights ? denseFlops : sparseFlops));
    }

    /** Adds FLOPs counted by the caller (models whose training is not forward + backward + weight gradients). */
    public void add(double flops) {
        total += flops;
    }

    /** FLOPs counted so far. */
    public double total() {
        return total;
    }

    /** Continues from the count of a checkpoint. */
    public void restore(double flops) {
        this.total = flops;
    }
}
