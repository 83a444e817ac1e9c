package dev.sparselab.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.run.Trainers;
import java.util.ArrayList;
import java.util.List;

/** For tests: a run resumed from its checkpoints ends exactly as the uninterrupted run (any engine). */
public final class Resumption {
    private Resumption() {
    }

    /**
     * Trains {@code spec} with checkpoints, resumes it from an epoch boundary and from mid-epoch in fresh trainers
     * (through the checkpoint's bytes), and requires the uninterrupted run's weights, masks, epoch metrics and FLOPs.
     */
    public static void assertResumesExactly(ExperimentSpec spec, Dataset data) {
        List<MetricPoint> fullMetrics = new ArrayList<>();
        RecordingCheckpointer recorder = new RecordingCheckpointer();
        TrainingResult full = Trainers.forSpec(spec, data, fullMetrics::addAll).checkpointWith(recorder).run();
        assertThat(recorder.saved).containsKeys("1:0", "2:0", "0:7", "1:7");
        for (String at : List.of("1:0", "1:7")) {
            List<MetricPoint> resumedMetrics = new ArrayList<>();
            Checkpoint c = Checkpoint.fromBytes(recorder.saved.get(at));
            TrainingResult resumed = Trainers.forSpec(spec, data, resumedMetrics::addAll).resumeFrom(c).run();
            assertSameModel(full.artifact(), resumed.artifact(), at);
            // every epoch metric the resumed run reports is the uninterrupted run's, at the same step
            List<MetricPoint> epochMetrics = resumedMetrics.stream()
                    .filter(p -> p.name().equals("train.loss") || p.name().equals("train.accuracy")).toList();
            assertThat(epochMetrics).isNotEmpty();
            assertThat(fullMetrics).containsAll(epochMetrics);
            assertThat(resumed.provenance().trainingFlops()).isEqualTo(full.provenance().trainingFlops());
        }
    }

    static void assertSameModel(ModelArtifact a, ModelArtifact b, String at) {
        assertThat(b.tensors().keySet()).isEqualTo(a.tensors().keySet());
        a.tensors().forEach((name, t) -> assertThat(b.tensors().get(name).data())
                .as("%s after resuming from %s", name, at).isEqualTo(t.data()));
        assertThat(b.masks()).isEqualTo(a.masks());
    }
}
