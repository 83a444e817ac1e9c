package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A sweep: one run per point of the grid (the Cartesian product of its value lists, spec paths in dot
 * notation) and per seed; or a search, whose runs (trials) are proposed one by one by a sampler.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepSpec(List<Long> seeds, Map<String, List<JsonNode>> grid, EarlyStoppingSpec earlyStopping,
                        SearchSpec search) {
    public SweepSpec(List<Long> seeds, Map<String, List<JsonNode>> grid, EarlyStoppingSpec earlyStopping) {
        this(seeds, grid, earlyStopping, null);
    }

    public SweepSpec(List<Long> seeds, Map<String, List<JsonNode>> grid) {
        this(seeds, grid, null, null);
    }

    SweepSpec withDefaults(long trainingSeed) {
        return new SweepSpec(seeds, grid, earlyStopping == null ? null : earlyStopping.withDefaults(),
                search == null ? null : search.withDefaults(trainingSeed));
    }
}
