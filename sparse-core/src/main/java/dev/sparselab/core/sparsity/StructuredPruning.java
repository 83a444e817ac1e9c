package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.spec.SparsitySpec;

/**
 * {@code neuron} / {@code channel}: train dense, remove the target fraction of every hidden layer's
 * neurons with the smallest L1 row norm, fine-tune with the structure fixed.
 */
final class StructuredPruning implements SparsityMethod {
    private final SparsitySpec spec;
    private final int finetuneEpochs;

    StructuredPruning(SparsitySpec spec, int finetuneEpochs) {
        this.spec = spec;
        this.finetuneEpochs = finetuneEpochs;
    }

    @Override
    public int extraEpochs() {
        return finetuneEpochs;
    }

    @Override
    public void afterTrainingPhase(SparseState state, long step, int epoch) {
        Structured.pruneNeurons(state, spec.target(), 1, step, epoch);
    }
}
