package dev.sparselab.core.train;

import dev.sparselab.contracts.events.MetricPoint;
import java.util.List;

/** Hooks a caller uses to see a run's progress. Called on the training thread. */
public interface TrainingListener {
    TrainingListener NONE = points -> { };

    /** A batch of metric points, sent at the end of every epoch (and of pruning). */
    void onMetrics(List<MetricPoint> points);
}
