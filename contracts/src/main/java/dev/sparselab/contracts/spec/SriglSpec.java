package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Structured RigL (constant fan-in RigL with neuron ablation).
 *
 * @param deltaT       steps between mask updates
 * @param alpha        initial fraction of active connections updated
 * @param stopFraction fraction of training after which the mask is frozen
 * @param gammaSal     the salient fraction below which a neuron is ablated
 */
@JsonTypeName("srigl")
public record SriglSpec(Double target, String distribution, List<String> denseLayers, Integer deltaT, Double alpha,
                        Double stopFraction, Double gammaSal) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.srigl(this);
    }

    @Override
    public SriglSpec withDefaults() {
        return new SriglSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "erk"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(deltaT, 100), SparsitySpec.or(alpha, 0.3),
                SparsitySpec.or(stopFraction, 0.75), SparsitySpec.or(gammaSal, 0.3));
    }

    @Override
    public Double updateFraction(long t, long trainSteps) {
        return RiglSpec.cosineFraction(alpha, stopFraction, t, trainSteps);
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
