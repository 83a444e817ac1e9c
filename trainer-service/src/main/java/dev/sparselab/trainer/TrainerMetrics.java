package dev.sparselab.trainer;

import dev.sparselab.contracts.events.MetricPoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
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
 * ({@code sparselab_trainer_samples_per_second}) and runs ended by outcome ({@code sparselab_trainer_runs_total}); per
 * run in training, tagged {@code run}: {@code sparselab_run_steps_per_second} and {@code sparselab_run_samples_per_second}
 * (the series go away when the run leaves this trainer, so their number is bounded by the trainer's slots).
 */
@Component
class TrainerMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong samplesPerSecond = new AtomicLong(Double.doubleToLongBits(0));
    private final Counter steps;
    private final Counter points;
    /** Per run in training: its last reported step and rates (steps are counted as they advance). */
    private final Map<UUID, RunRates> runs = new ConcurrentHashMap<>();

    /** A run's progress and its two per-run gauges (tagged with the run id; removed when the run leaves). */
    private static final class RunRates {
        volatile long step;
        volatile long nanos = System.nanoTime();
        volatile double stepsPerSecond;
        volatile double samplesPerSecond;
        final List<Meter> meters = new java.util.ArrayList<>();
    }

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
        RunRates rates = new RunRates();
        rates.meters.add(Gauge.builder("sparselab.run.steps.per.second", rates, r -> r.stepsPerSecond)
                .description("a run's training steps per second, between its last two reports").tag("run", run.toString())
                .register(registry));
        rates.meters.add(Gauge.builder("sparselab.run.samples.per.second", rates, r -> r.samplesPerSecond)
                .description("a run's training throughput, as it last reported it").tag("run", run.toString())
                .register(registry));
        runs.put(run, rates);
    }

    void ended(UUID run, String outcome) {
        active.decrementAndGet();
        RunRates rates = runs.remove(run);
        if (rates != null) {
            rates.meters.forEach(registry::remove);
        }
        Counter.builder("sparselab.trainer.runs").description("runs this trainer stopped training, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    void reported(UUID run, List<MetricPoint> reported) {
        points.increment(reported.size());
        RunRates rates = runs.get(run);
        long max = 0;
        for (MetricPoint p : reported) {
            max = Math.max(max, p.step());
            if ("samples_per_second".equals(p.name())) {
                samplesPerSecond.set(Double.doubleToLongBits(p.value()));
                if (rates != null) {
                    rates.samplesPerSecond = p.value();
                }
            }
        }
        if (rates != null && max > rates.step) {
            long now = System.nanoTime();
            steps.increment(max - rates.step);
            rates.stepsPerSecond = (max - rates.step) / Math.max(1e-9, (now - rates.nanos) / 1e9);
            rates.step = max;
            rates.nanos = now;
        }
    }
}
