package dev.sparselab.core.train;

import dev.sparselab.contracts.events.RunProvenance;
import dev.sparselab.contracts.artifact.ModelArtifact;

/** The outcome of training: the artifact, how it was made and how fast, whether ASHA stopped it, epochs done. */
public record TrainingResult(ModelArtifact artifact, RunProvenance provenance, boolean stoppedEarly, int epochs) {
}
