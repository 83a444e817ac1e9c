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
        String priority,
        Boolean force,
        DatasetSpec dataset,
        ModelSpec model,
        TrainingSpec training,
        SparsitySpec sparsity,
        SweepSpec sweep) {
    public static final String LOW = "low";
    public static final String NORMAL = "normal";
    public static final String HIGH = "high";

    public ExperimentSpec(String name, DatasetSpec dataset, ModelSpec model, TrainingSpec training,
                          SparsitySpec sparsity, SweepSpec sweep) {
        this(name, null, null, dataset, model, training, sparsity, sweep);
    }


    /** The spec with every optional field filled in with its documented default. */
    public ExperimentSpec withDefaults() {
        return new ExperimentSpec(
                name,
                priority == null ? NORMAL : priority,
                force,
                dataset.withDefaults(),
                model.withDefaults(),
                training.withDefaults(),
                sparsity == null ? SparsitySpec.DENSE : sparsity.withDefaults(),
                sweep == null ? null : sweep.withDefaults(training.withDefaults().seed()));
    }

    /** This spec for one run: the sweep is resolved away and the seed is fixed. */
    public ExperimentSpec forRun(long seed) {
        return new ExperimentSpec(name, priority, null, dataset, model, training.withSeed(seed), sparsity, null);
    }

    /**
     * What determines a run's result, for finding identical runs: the spec without its name, priority,
     * force flag, sweep and checkpoint interval (which change how a run is scheduled, not what it learns).
     */
    public ExperimentSpec content() {
        TrainingSpec t = training == null ? null : new TrainingSpec(training.epochs(), training.batchSize(),
                training.optimizer(), training.seed(), training.loss(), null, training.algorithm(),
                training.goodnessThreshold(), training.reduction(), training.labelSmoothing(), training.engine());
        return new ExperimentSpec(null, null, null, dataset, model, t, sparsity, null);
    }

    public int priorityRank() {
        return HIGH.equals(priority) ? 2 : LOW.equals(priority) ? 0 : 1;
    }
}
