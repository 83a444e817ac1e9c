package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Sparse momentum (SNFS): prune by magnitude and regrow by mean momentum after each epoch.
 *
 * @param pruneRate initial prune rate (cosine-decayed to 0.005)
 */
@JsonTypeName("snfs")
public record SnfsSpec(Double target, String distribution, List<String> denseLayers, Double pruneRate)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.snfs(this);
    }

    @Override
    public SnfsSpec withDefaults() {
        return new SnfsSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(pruneRate, 0.5));
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
