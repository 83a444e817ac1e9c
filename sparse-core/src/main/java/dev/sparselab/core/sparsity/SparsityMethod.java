package dev.sparselab.core.sparsity;

/**
 * A sparsity method's hooks into the training loop. The loop, for every batch: forward and backward;
 * {@link #beforeUpdate} (dense gradients are available); the optimizer step with masked gradients;
 * masks re-applied; {@link #afterUpdate}. Steps are 1-based optimizer steps, epochs 1-based.
 */
public interface SparsityMethod {
    /** After initialization, before the first step: static and sparse-from-scratch methods draw masks here. */
    default void init(SparseState state) {
    }

    default void beforeUpdate(SparseState state, long step, int epoch) {
    }

    default void afterUpdate(SparseState state, long step, int epoch) {
    }

    default void afterEpoch(SparseState state, long step, int epoch, int epochs) {
    }

    /** Epochs to train after the training phase (fine-tuning), with {@link #beforeExtraEpochs} called first. */
    default int extraEpochs() {
        return 0;
    }

    default void beforeExtraEpochs(SparseState state, long step, int epoch) {
    }
}
