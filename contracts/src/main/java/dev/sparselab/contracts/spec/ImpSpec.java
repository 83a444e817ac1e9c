package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Iterative magnitude pruning with rewinding (the lottery ticket procedure).
 *
 * @param rate       fraction of the remaining weights pruned per round
 * @param rewindStep the step whose weights survivors are reset to (0 = initialization)
 */
@JsonTypeName("imp")
public record ImpSpec(Double target, String distribution, List<String> denseLayers, Double rate, Long rewindStep)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.imp(this);
    }

    @Override
    public ImpSpec withDefaults() {
        return new ImpSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                denseLayers == null ? List.of("last") : List.copyOf(denseLayers), SparsitySpec.or(rate, 0.2),
                SparsitySpec.or(rewindStep, 0L));
    }

    /** The number of pruning rounds: ceil(log(1 - S) / log(1 - rate)). */
    public int rounds() {
        return target <= 0 ? 0 : (int) Math.ceil(Math.log(1 - target) / Math.log(1 - rate) - 1e-9);
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return rounds() * trainEpochs;
    }

    @Override
    public double sparsityAt(long t, long trainSteps) {
        int round = (int) Math.min(rounds(), t / Math.max(1, trainSteps));
        return round >= rounds() ? target : 1 - Math.pow(1 - rate, round);
    }

    @Override
    public List<Long> scheduleBends(long trainSteps) {
        List<Long> bends = new java.util.ArrayList<>();
        for (int r = 1; r <= rounds(); r++) {
            bends.add(r * trainSteps);
            bends.add(r * trainSteps + 1);
        }
        return bends;
    }
}
