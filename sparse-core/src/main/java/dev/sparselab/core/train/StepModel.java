package dev.sparselab.core.train;

import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.artifact.ModelArtifact;
import java.util.List;
import java.util.Map;

/**
 * What {@link TrainingLoop} trains: a model with its optimizer (and, for weight-sparse models, its sparsity
 * method), seen one step at a time. The loop owns the lifecycle (epochs and steps, the shuffled order,
 * cancellation, stop-early, checkpoint timing, capture and restore with their checks, divergence, metrics
 * and provenance); a model owns what happens inside a step and what its state is.
 *
 * <p>A model is opened by its {@link Factory} inside the loop's run (autograd off, the engine seeded) and
 * closed by it. Not thread-safe.
 */
public interface StepModel extends AutoCloseable {
    /** Opens a model for one run. */
    @FunctionalInterface
    interface Factory {
        StepModel open();
    }

    /**
     * One step's result: its loss (the loop checks it is finite before the update), the batch's loss sum and
     * weight (the epoch's mean loss is their ratio) and its correct predictions (accuracy: correct / weight).
     */
    record StepOutcome(float loss, double lossSum, double weight, long correct) {
        /**
         * A step whose loss and counts stay on the device (no per-step read-back): the model adds them up there and
         * the loop collects them with {@link #drainTotals()}.
         */
        public static final StepOutcome DEFERRED = new StepOutcome(0f, 0, 0, 0);

        public boolean deferred() {
            return this == DEFERRED;
        }
    }

    /** The epoch's loss sum, weight and correct predictions so far. */
    record Totals(double lossSum, double weight, long correct) {
    }

    /**
     * For a model that defers its steps ({@link StepOutcome#DEFERRED}): the epoch's running totals start from these
     * (zero for a new epoch, a checkpoint's for a resumed one), and are added up on the device in double precision,
     * step by step in order, so a resumed epoch reports the same sums to the last bit.
     */
    default void startTotals(Totals start) {
    }

    /** The epoch's running totals (one read-back for many steps), or null for a model that does not defer. */
    default Totals totals() {
        return null;
    }

    /** Examples (or sequences) in one epoch. */
    int examples();

    /** Epochs in all, a method's extra phase (e.g. fine-tuning after pruning) included. */
    int epochs();

    /** The phase of an epoch, reported as metric {@code phase.<name>}. */
    default String phase(int epoch) {
        return "train";
    }

    /** The engine that computes the model, for the provenance; null: the DJL engine the loop trains with. */
    default String engineName() {
        return null;
    }

    /** The training data's hash (provenance). */
    String dataHash();

    /** Before an epoch's first step (also when an epoch is resumed mid-way). */
    default void beginEpoch(int epoch) {
    }

    /**
     * Forward and backward pass on the examples {@code order[start .. start+b)} as step {@code step} (1-based),
     * inside the model's own gradient collector; the step's arrays belong to {@code sub}.
     */
    StepOutcome forwardBackward(int[] order, int start, int b, long step, int epoch, NDManager sub);

    /** The update of step {@code step}, after a finite loss. */
    void update(long step, int b, int epoch, NDManager sub);

    /** After an epoch's last step (a method's end-of-epoch hooks). */
    default void endEpoch(int epoch, long step) {
    }

    /** The model's own metrics of an epoch, besides loss, accuracy, throughput, learning rate and phase. */
    List<MetricPoint> epochMetrics(int epoch, long step, double meanLoss);

    /** The learning rate at a step (reported per epoch). */
    double learningRate(long step);

    /** When training ends (completed or stopped early), before the artifact is taken. */
    default void endTraining(long step, int epochsDone) {
    }

    /** Adds the model's state (parameters, optimizer and method state; scalars) to a checkpoint. */
    void capture(Map<String, ModelArtifact.Tensor> tensors, Map<String, Double> scalars);

    /**
     * Loads a checkpoint's state into the freshly opened model, after the loop's checks (spec, step counter);
     * throws {@link CheckpointMismatchException} when the state does not fit the model.
     */
    void restore(Checkpoint checkpoint);

    /** The trained model. */
    ModelArtifact artifact();

    /** FLOPs training took so far for {@code samples} examples (following the mask schedule or routing). */
    double trainingFlops(long samples);

    /** What the same training would have cost dense. */
    double denseTrainingFlops(long samples);

    /** The manager a step's sub-manager is made from. */
    NDManager manager();

    @Override
    void close();
}
