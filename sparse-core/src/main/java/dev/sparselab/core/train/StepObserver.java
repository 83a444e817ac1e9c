package dev.sparselab.core.train;

import dev.sparselab.core.sparsity.SparseState;

/** Sees a weight-sparse model around every optimizer step (invariant checks, debugging). */
@FunctionalInterface
public interface StepObserver {
    StepObserver NONE = (state, step) -> { };

    /** After the step: masks applied and the method has run. */
    void afterStep(SparseState state, long step);

    /** Before the step's forward pass (and before the method's per-step hooks). */
    default void beforeStep(SparseState state, long step) {
    }
}
