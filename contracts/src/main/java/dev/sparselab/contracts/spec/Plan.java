package dev.sparselab.contracts.spec;

import java.util.List;

/**
 * A validated experiment: its spec as submitted (defaults applied, sweep kept) and the runs it expands to.
 */
public record Plan(ExperimentSpec spec, List<PlannedRun> runs) {
}
