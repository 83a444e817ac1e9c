package dev.sparselab.core.run;

import ai.djl.Device;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.core.cond.ConditionalModel;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.data.TrainingData;
import dev.sparselab.core.engine.SparseEngineModel;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.StepObserver;
import dev.sparselab.core.train.TrainingListener;
import dev.sparselab.core.train.TrainingLoop;
import dev.sparselab.core.train.WeightSparseModel;

/**
 * The trainer of a spec: one {@link TrainingLoop} over the model the spec describes, a weight-sparse network
 * ({@link WeightSparseModel}, or {@link SparseEngineModel} when the spec chooses the sparse engine) or a conditional one ({@link ConditionalModel}: transformers on token data, mlps
 * with conditional blocks, layer-local training). The only place that tells the two apart for training.
 */
public final class Trainers {
    private Trainers() {
    }

    /** Whether the spec describes a conditional model (else a weight-sparse one). */
    public static boolean conditional(ExperimentSpec spec) {
        return ConditionalModel.handles(spec);
    }

    /** The training of {@code spec} on {@code data} (token data only for transformers), on the engine's device. */
    public static TrainingLoop forSpec(ExperimentSpec spec, TrainingData data, TrainingListener listener) {
        return forSpec(spec, data, listener, Engines.device());
    }

    public static TrainingLoop forSpec(ExperimentSpec spec, TrainingData data, TrainingListener listener,
                                       Device device) {
        if (conditional(spec)) {
            TokenData tokens = data instanceof TokenData t ? t : null;
            Dataset examples = data instanceof Dataset d ? d : null;
            return new TrainingLoop(spec, () -> new ConditionalModel(spec, tokens, examples, device), listener,
                    device);
        }
        if (!(data instanceof Dataset examples)) {
            throw new IllegalArgumentException("a " + spec.model().type() + " trains on examples, not on token data");
        }
        if (SparseEngineModel.handles(spec)) {
            return new TrainingLoop(spec, () -> new SparseEngineModel(spec, examples, listener), listener,
                    Device.cpu());
        }
        return weightSparse(spec, examples, listener, device, StepObserver.NONE);
    }

    /** A weight-sparse network's training with an observer of every step (invariant checks in tests). */
    public static TrainingLoop weightSparse(ExperimentSpec spec, Dataset data, TrainingListener listener,
                                            Device device, StepObserver observer) {
        return new TrainingLoop(spec, () -> new WeightSparseModel(spec, data, listener, device, observer), listener,
                device);
    }

    public static TrainingLoop weightSparse(ExperimentSpec spec, Dataset data, TrainingListener listener,
                                            StepObserver observer) {
        return weightSparse(spec, data, listener, Engines.device(), observer);
    }
}
