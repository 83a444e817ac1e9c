package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * RigL: every deltaT steps drop the smallest active weights and grow the connections with the largest
 * gradient, the updated fraction decaying by a cosine from alpha to 0 at stopFraction of training.
 *
 * @param deltaT       steps between mask updates
 * @param alpha        initial fraction of active connections updated
 * @param stopFraction fraction of training after which the mask is frozen
 */
@JsonTypeName("rigl")
public record RiglSpec(Double target, String distribution, List<String> denseLayers, Integer deltaT, Double alpha,
                       Double stopFraction) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.rigl(this);
    }

    @Override
    public RiglSpec withDefaults() {
        return new RiglSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "erk"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(deltaT, 100), SparsitySpec.or(alpha, 0.3),
                SparsitySpec.or(stopFraction, 0.75));
    }

    /** alpha_t = alpha / 2 (1 + cos(pi t / T_end)) before T_end = floor(stopFraction T), else 0. */
    static double cosineFraction(double alpha, double stopFraction, long t, long trainSteps) {
        long end = (long) Math.floor(stopFraction * trainSteps);
        return t > 0 && t < end ? alpha / 2 * (1 + Math.cos(Math.PI * t / end)) : 0.0;
    }

    @Override
    public Double updateFraction(long t, long trainSteps) {
        return cosineFraction(alpha, stopFraction, t, trainSteps);
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
