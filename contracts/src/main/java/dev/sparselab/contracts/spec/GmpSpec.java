package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Gradual magnitude pruning (Zhu &amp; Gupta): the cubic schedule from S_i to the target.
 *
 * @param global          rank magnitudes across all layers at once instead of per layer
 * @param initialSparsity S_i, the sparsity at {@code beginStep}
 * @param beginStep       first pruning step
 * @param endStep         last pruning step (null: 75% of training)
 * @param frequency       steps between pruning events
 */
@JsonTypeName("gmp")
public record GmpSpec(Double target, String distribution, List<String> denseLayers, Boolean global,
                      Double initialSparsity, Long beginStep, Long endStep, Integer frequency) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.gmp(this);
    }

    @Override
    public GmpSpec withDefaults() {
        return new GmpSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(global, false), SparsitySpec.or(initialSparsity, 0.0),
                SparsitySpec.or(beginStep, 0L), endStep, SparsitySpec.or(frequency, 100));
    }

    /** The last pruning step of a run with {@code trainSteps} training steps. */
    public long end(long trainSteps) {
        return endStep != null ? endStep : Math.max(1, Math.round(0.75 * trainSteps));
    }

    @Override
    public double sparsityAt(long t, long trainSteps) {
        long end = end(trainSteps);
        if (t < beginStep) {
            return initialSparsity;
        }
        double p = end <= beginStep ? 1.0 : Math.min(1.0, (double) (t - beginStep) / (end - beginStep));
        return target + (initialSparsity - target) * Math.pow(1.0 - p, 3);
    }

    @Override
    public List<Long> scheduleBends(long trainSteps) {
        return List.of(beginStep, end(trainSteps));
    }

    /** Comparable only after its last pruning step: its accuracy dip while it prunes must not get it stopped. */
    @Override
    public int scheduleEndEpoch(int trainEpochs, long stepsPerEpoch) {
        long end = end(trainEpochs * stepsPerEpoch);
        return (int) Math.min(trainEpochs, (end + stepsPerEpoch - 1) / stepsPerEpoch);
    }
}
