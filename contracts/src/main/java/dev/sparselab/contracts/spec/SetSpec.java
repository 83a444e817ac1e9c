package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Sparse Evolutionary Training: after each epoch remove the fraction zeta of the smallest positive and of the
 * largest negative weights and regrow as many at random.
 *
 * @param zeta      fraction of positive and of negative weights removed after each epoch
 * @param regrowStd standard deviation of the normal distribution regrown weights are drawn from; null: drawn
 *                  as the layer's initialization scheme draws weights (the reference code's rule)
 */
@JsonTypeName("set")
public record SetSpec(Double target, String distribution, List<String> denseLayers, Double zeta, Double regrowStd)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.set(this);
    }

    @Override
    public SetSpec withDefaults() {
        return new SetSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "er"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(zeta, 0.3), regrowStd);
    }

    @Override
    public Double updateFraction(long t, long trainSteps) {
        return t > 0 && t < trainSteps ? zeta : 0.0;
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
