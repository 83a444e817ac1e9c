package dev.sparselab.contracts.events;

/**
 * Where a trained model came from: enough to tell whether two runs are comparable.
 */
public record RunProvenance(String specHash, long seed, String datasetHash, String djlVersion,
                            String engine, String engineVersion, String device, String jvm,
                            String os, long trainMillis, double samplesPerSecond) {
}
