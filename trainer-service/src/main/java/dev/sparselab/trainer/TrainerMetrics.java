package dev.sparselab.trainer;

import dev.sparselab.contracts.events.MetricPoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * What a trainer is doing, for Prometheus ({@code /actuator/prometheus}): runs in training now
 * ({@code sparselab_trainer_runs_active}), training steps done ({@code sparselab_trainer_steps_total}), metric points
 * reported ({@code sparselab_trainer_metric_points_total}), the last reported training throughput
 * ({@code sparselab_trainer_samples_per_second}) and runs ended by outcome ({@code sparselab_trainer_runs_total}).
 */
@Component
class TrainerMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong samplesPerSecond = new AtomicLong(Double.doubleToLongBits(0));
    private final Counter steps;
    private final Counter points;
    /** The last step reported per run in training (steps are counted as they advance). */
    private final Map<UUID, Long> lastStep = new ConcurrentHashMap<>();

    TrainerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sparselab.trainer.runs.active", active, AtomicInteger::get)
                .description("runs this trainer is training now").register(registry);
        Gauge.builder("sparselab.trainer.samples.per.second", samplesPerSecond,
                        v -> Double.longBitsToDouble(v.get()))
                .description("the training throughput last reported by a run of this trainer").register(registry);
        steps = Counter.builder("sparselab.trainer.steps").description("training steps done").register(registry);
        points = Counter.builder("sparselab.trainer.metric.points").description("metric points reported")
                .register(registry);
    }

    void started(UUID run) {
        active.incrementAndGet();
        lastStep.put(run, 0L);
    }

    void ended(UUID run, String outcome) {
        active.decrementAndGet();
        lastStep.remove(run);
        Counter.builder("sparselab.trainer.runs").description("runs this trainer stopped training, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    void reported(UUID run, List<MetricPoint> reported) {
        points.increment(reported.size());
        long max = 0;
        for (MetricPoint p : reported) {
            max = Math.max(max, p.step());
            if ("samples_per_second".equals(p.name())) {
                samplesPerSecond.set(Double.doubleToLongBits(p.value()));
            }
        }
        long step = max;
        Long before = lastStep.get(run);
        if (before != null && step > before) {
            lastStep.put(run, step);
            steps.increment(step - before);
        }
    }
}
