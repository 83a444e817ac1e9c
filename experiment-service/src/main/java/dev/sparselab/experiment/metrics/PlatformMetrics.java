package dev.sparselab.experiment.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The shared service's state for Prometheus ({@code /actuator/prometheus} on the management port): runs by status
 * ({@code sparselab_runs{status}}), the queue — queued runs released to trainers and those the scheduler still holds
 * back ({@code sparselab_queue_runs{state="released|held"}}) —, the outbox backlog not yet on Kafka
 * ({@code sparselab_outbox_backlog}), trainers holding runs ({@code sparselab_trainers_busy}). Read from PostgreSQL every
 * few seconds (any number of experiment-service replicas report the same values), never on the scrape itself.
 * Consumer lag, HTTP and Kafka client series come from Spring Boot's and Spring Kafka's own Micrometer bindings.
 */
@Component
class PlatformMetrics {
    private static final Logger log = LoggerFactory.getLogger(PlatformMetrics.class);
    static final String[] STATUSES = {"QUEUED", "RUNNING", "EVALUATING", "SUCCEEDED", "FAILED", "CANCELLED"};
    private final JdbcClient jdbc;
    private final Map<String, Double> values = new ConcurrentHashMap<>();

    PlatformMetrics(JdbcClient jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        for (String status : STATUSES) {
            gauge(registry, "sparselab.runs", "runs by status", "runs." + status, "status", status);
        }
        gauge(registry, "sparselab.queue.runs", "queued runs released to the trainers' topic", "queue.released",
                "state", "released");
        gauge(registry, "sparselab.queue.runs", "queued runs the scheduler holds back (limits, priorities)",
                "queue.held", "state", "held");
        gauge(registry, "sparselab.outbox.backlog", "events written to the outbox and not yet on Kafka", "outbox",
                null, null);
        gauge(registry, "sparselab.trainers.busy", "trainers holding a run's lease", "trainers", null, null);
    }

    private void gauge(MeterRegistry registry, String name, String description, String key, String tag,
                       String value) {
        values.put(key, 0.0);
        Gauge.Builder<Map<String, Double>> b = Gauge.builder(name, values, v -> v.getOrDefault(key, 0.0))
                .description(description);
        if (tag != null) {
            b.tag(tag, value);
        }
        b.register(registry);
    }

    @Scheduled(fixedDelayString = "${sparselab.experiment.metrics-refresh:5s}", initialDelay = 1000)
    void refresh() {
        try {
            for (String status : STATUSES) {
                values.put("runs." + status, 0.0);
            }
            jdbc.sql("select status, count(*) from runs group by status").query((rs, i) -> {
                values.put("runs." + rs.getString(1), (double) rs.getLong(2));
                return null;
            }).list();
            jdbc.sql("""
                    select count(*) filter (where released_at is not null), count(*) filter (where released_at is null)
                    from runs where status = 'QUEUED'""").query((rs, i) -> {
                values.put("queue.released", (double) rs.getLong(1));
                values.put("queue.held", (double) rs.getLong(2));
                return null;
            }).single();
            values.put("outbox", jdbc.sql("select count(*) from outbox where published_at is null")
                    .query(Long.class).single().doubleValue());
            values.put("trainers", jdbc.sql("select count(distinct owner) from run_leases where owner is not null")
                    .query(Long.class).single().doubleValue());
        } catch (RuntimeException e) {
            log.debug("platform metrics not refreshed: {}", e.toString()); // PostgreSQL away: the last values stay
        }
    }
}
