package dev.sparselab.contracts.spec;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One run an experiment expands to.
 *
 * @param gridPoint the grid values of this run, by spec path (empty without a grid)
 * @param spec      the resolved spec of this run: defaults applied, seed fixed, no sweep
 */
public record PlannedRun(Map<String, JsonNode> gridPoint, ExperimentSpec spec) {
    public long seed() {
        return spec.training().seed();
    }
}
