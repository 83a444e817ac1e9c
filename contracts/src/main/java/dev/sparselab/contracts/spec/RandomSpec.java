package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/** A uniformly random mask drawn at initialization and kept fixed (the static-sparsity baseline). */
@JsonTypeName("random")
public record RandomSpec(Double target, String distribution, List<String> denseLayers) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.random(this);
    }

    @Override
    public RandomSpec withDefaults() {
        return new RandomSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers));
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
