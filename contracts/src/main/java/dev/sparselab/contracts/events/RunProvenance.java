package dev.sparselab.contracts.events;

/**
 * Where a trained model came from: enough to tell whether two runs are comparable, and what training cost.
 *
 * @param trainingFlops      FLOPs spent training (forward, backward to activations, weight gradients; see
 *                           docs/evaluation.md), following the mask schedule
 * @param denseTrainingFlops FLOPs of a dense run of the same model for the same number of training epochs
 */
public record RunProvenance(String specHash, long seed, String datasetHash, String djlVersion,
                            String engine, String engineVersion, String device, String jvm,
                            String os, long trainMillis, double samplesPerSecond, double trainingFlops,
                            double denseTrainingFlops) {
}
