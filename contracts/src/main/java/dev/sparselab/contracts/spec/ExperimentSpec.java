package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A researcher's description of one experiment: data, model, training recipe, sparsity method and an
 * optional sweep. Instances are immutable; {@link #withDefaults()} returns the fully resolved spec that
 * is stored and sent to trainers, so that a run can always be replayed from what was stored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExperimentSpec(
        String name,
        DatasetSpec dataset,
        ModelSpec model,
        TrainingSpec training,
        SparsitySpec sparsity,
        SweepSpec sweep) {

    /** The spec with every optional field filled in with its documented default. */
    public ExperimentSpec withDefaults() {
        return new ExperimentSpec(
                name,
                dataset.withDefaults(),
                model.withDefaults(),
                training.withDefaults(),
                sparsity == null ? SparsitySpec.DENSE : sparsity.withDefaults(),
                sweep);
    }

    /** This spec for one run: the sweep is resolved away and the seed is fixed. */
    public ExperimentSpec forRun(long seed) {
        return new ExperimentSpec(name, dataset, model, training.withSeed(seed), sparsity, null);
    }
}
