package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.MagnitudeSpec;
import java.util.List;

/** One-shot magnitude pruning after dense training, then fine-tuning with the mask fixed. */
final class MagnitudePruning implements SparsityMethod {
    private final MagnitudeSpec spec;

    MagnitudePruning(MagnitudeSpec spec) {
        this.spec = spec;
    }

    @Override
    public int extraEpochs() {
        return spec.finetuneEpochs();
    }

    @Override
    public void afterTrainingPhase(SparseState state, long step, int epoch) {
        state.updateMasks(Methods.magnitudeMasks(state, spec.distribution(), spec.global(), spec.target()), step, epoch);
        state.report(List.of(new MetricPoint("prune.sparsity", step, epoch, state.sparsity())));
    }
}
