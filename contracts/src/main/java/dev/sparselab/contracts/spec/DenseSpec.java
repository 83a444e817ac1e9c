package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * No sparsity: every weight trains. The schema admits the common parameters for every
 * method; those ignored here are accepted and dropped.
 */
@JsonIgnoreProperties(value = {"distribution", "denseLayers"})
@JsonTypeName("dense")
public record DenseSpec(Double target) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.dense(this);
    }

    @Override
    public DenseSpec withDefaults() {
        return new DenseSpec(0.0);
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
