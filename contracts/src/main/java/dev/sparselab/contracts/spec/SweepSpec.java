package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A sweep: one run per point of the grid (the Cartesian product of its value lists, spec paths in dot
 * notation) and per seed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepSpec(List<Long> seeds, Map<String, List<JsonNode>> grid, EarlyStoppingSpec earlyStopping) {
    public SweepSpec(List<Long> seeds, Map<String, List<JsonNode>> grid) {
        this(seeds, grid, null);
    }
}
