package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * N:M fine-grained structured sparsity: at most n non-zeros in every m consecutive input weights.
 *
 * <p>The schema admits the common parameters for every method; those ignored here are accepted and dropped.
 *
 * @param target  derived: 1 - n/m
 * @param n       weights kept per group
 * @param m       group size (consecutive input weights)
 * @param recipe  {@code srste} (sparse-refined straight-through estimator, sparse from the start) or
 *                {@code decay} (the mask imposed gradually)
 * @param lambdaW srste: the decay applied to pruned weights through the gradient
 */
@JsonIgnoreProperties(value = "distribution")
@JsonTypeName("nm")
public record NmSpec(Double target, List<String> denseLayers, Integer n, Integer m, String recipe, Double lambdaW)
        implements SparsitySpec {
    public static final String SRSTE = "srste";

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.nm(this);
    }

    @Override
    public NmSpec withDefaults() {
        int nn = SparsitySpec.or(n, 2);
        int mm = SparsitySpec.or(m, 4);
        return new NmSpec(1.0 - (double) nn / mm, SparsitySpec.layers(denseLayers), nn, mm,
                SparsitySpec.or(recipe, SRSTE), SparsitySpec.or(lambdaW, 2e-4));
    }

    /** SR-STE is sparse from the first step; the decay recipe imposes its mask over training. */
    @Override
    public boolean sparseFromStart() {
        return SRSTE.equals(recipe);
    }

    @Override
    public double sparsityAt(long t, long trainSteps) {
        return target;
    }
}
