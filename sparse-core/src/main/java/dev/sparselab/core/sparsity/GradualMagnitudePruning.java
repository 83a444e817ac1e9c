package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.GmpSpec;
import java.util.List;

/**
 * Gradual magnitude pruning (Zhu &amp; Gupta): at steps t = beginStep + i * frequency up to endStep,
 * prune to s_t = S + (S_i - S)(1 - p)^3 with p = clip((t - begin) / (end - begin), 0, 1). Pruned
 * weights stay pruned. endStep defaults to 75% of the training steps.
 */
final class GradualMagnitudePruning implements SparsityMethod {
    private final GmpSpec spec;

    GradualMagnitudePruning(GmpSpec spec) {
        this.spec = spec;
    }

    long endStep(SparseState state) {
        return spec.end(state.trainSteps());
    }

    /** The schedule's sparsity at step t. */
    static double sparsityAt(long t, long begin, long end, double initial, double target) {
        double p = end <= begin ? 1.0 : Math.min(1.0, Math.max(0.0, (double) (t - begin) / (end - begin)));
        return target + (initial - target) * Math.pow(1.0 - p, 3);
    }

    boolean isPruningStep(long t, long end) {
        long begin = spec.beginStep();
        return t >= begin && t <= end && ((t - begin) % spec.frequency() == 0 || t == end);
    }

    @Override
    public void afterUpdate(SparseState state, long step, int epoch) {
        long end = endStep(state);
        if (!isPruningStep(step, end)) {
            return;
        }
        double s = sparsityAt(step, spec.beginStep(), end, spec.initialSparsity(), spec.target());
        state.updateMasks(Methods.magnitudeMasks(state, spec.distribution(), spec.global(), s), step, epoch);
        state.report(List.of(new MetricPoint("prune.sparsity", step, epoch, state.sparsity()),
                new MetricPoint("prune.target", step, epoch, s)));
    }
}
