package dev.sparselab.core.sparsity;

/**
 * A sparsity method's hooks into the training loop. The loop, for every batch: forward and backward;
 * {@link #beforeUpdate} (dense gradients are available); the optimizer step with masked gradients;
 * masks re-applied; {@link #afterUpdate}. Steps are 1-based optimizer steps, epochs 1-based.
 */
public interface SparsityMethod {
    /** After initialization, before the first step: static and sparse-from-scratch methods draw masks here. */
    default void init(SparseState state) {
    }

    /** Before the forward pass of a step (e.g. to install a per-step mask, SR-STE). */
    default void beforeForward(SparseState state, long step, int epoch) {
    }

    /** After backward, before the optimizer step: gradients of every weight are available (and changeable). */
    default void beforeUpdate(SparseState state, long step, int epoch) {
    }

    default void afterUpdate(SparseState state, long step, int epoch) {
    }

    default void afterEpoch(SparseState state, long step, int epoch, int epochs) {
    }

    /** Epochs to train after the training phase (fine-tuning, retraining). */
    default int extraEpochs() {
        return 0;
    }

    /** Once, after the last epoch of the training phase (before any extra epochs): one-shot pruning goes here. */
    default void afterTrainingPhase(SparseState state, long step, int epoch) {
    }

    /** The name of the extra epochs' phase in the metrics ({@code phase.<name>}). */
    default String extraPhase() {
        return "finetune";
    }

    /** After the last epoch, before the model is stored. */
    default void onTrainingEnd(SparseState state, long step, int epoch) {
    }

    /**
     * The fraction of each layer's weights the forward pass uses when the method sparsifies on the fly
     * (N:M: n / m) rather than through installed masks; null otherwise. Used for counting training FLOPs.
     */
    default Double forwardDensity() {
        return null;
    }

    /** Whether weight gradients are computed densely at every step (they are when the method reads them). */
    default boolean denseWeightGradients() {
        return false;
    }

    /**
     * The method's own state beyond masks, weights and optimizer state, as named arrays, for a checkpoint
     * (e.g. the lottery ticket's rewind weights and round). Most methods derive everything from the step.
     */
    default java.util.Map<String, float[]> saveState() {
        return java.util.Map.of();
    }

    /** Restores what {@link #saveState} returned; called after {@link #init} when a run resumes. */
    default void restoreState(java.util.Map<String, float[]> saved) {
    }

    /**
     * The step the learning-rate schedule is at on run step {@code step} (1-based) of a run whose training phase
     * has {@code trainSteps} steps: the run step, unless the method restarts training and reruns the schedule.
     */
    default long scheduleStep(long step, long trainSteps) {
        return step;
    }

    /** Adam's bias-correction count at run step {@code step}: updates since the optimizer state was last reset. */
    default long optimizerStateStep(long step, long trainSteps) {
        return step;
    }

    /** How many steps one pass of the learning-rate schedule lasts: the whole run, unless the method reruns it. */
    default long scheduleLength(long trainSteps, long allSteps) {
        return allSteps;
    }

    /** The layers this method keeps dense (the spec's {@code denseLayers} unless the method adds its own). */
    default java.util.List<String> denseLayers(dev.sparselab.contracts.spec.SparsitySpec spec) {
        return spec.denseLayers();
    }
}
