package dev.sparselab.launcher;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunEvent;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Metric ingestion end to end (issue 17, item 3): the platform in one JVM (embedded PostgreSQL, KRaft Kafka, the
 * services, as {@code ./sparselab up} runs them), {@code R} synthetic runs (RUNNING, leased to a trainer that
 * never expires, so no real trainer takes them) reporting at once, each the way a trainer does: one
 * {@code MetricsReported} event of {@code P} points at a time, each acknowledged by Kafka before the next. Prints the
 * points/s from the first send until the last point is in {@code run_metrics}, the producers' rate, the largest
 * consumer lag (records of {@code sparselab.run.events} not yet applied), and, in the same run, the baseline: the
 * same number of points written straight into {@code run_metrics} with {@code COPY} (the database's own ceiling
 * here), and into a twin table with the per-row foreign key to {@code runs} that Flyway V16 dropped.
 *
 * <p>Run with {@code bench/ingestion.sh [runs=200] [events per run=50] [points per event=20] [reporting at once=32]}.
 */
public final class IngestionThroughput {
    private IngestionThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int pointsPerEvent = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        Path dataDir = Files.createTempDirectory("sparselab-ingestion");
        try (LocalPlatform platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0,
                dataDir.resolve("no-datasets"), 4, 0, List.of()))) {
            DataSource db = platform.dataSource();
            JdbcClient jdbc = JdbcClient.create(db);
            // a warm-up round (JIT, connection pools, the consumer's assignment), then the measured one
            measure("warm-up", platform, jdbc, Math.max(4, runs / 10), Math.max(2, events / 5), pointsPerEvent,
                    concurrency);
            measure("platform", platform, jdbc, runs, events, pointsPerEvent, concurrency);
            copyBaseline(db, jdbc, runs, events, pointsPerEvent, "run_metrics");
            // the same into a twin of run_metrics with the per-row foreign key to runs it had before Flyway V16
            jdbc.sql("create table bench_metrics (like run_metrics including defaults including indexes, "
                    + "foreign key (run_id) references runs (id) on delete cascade)").update();
            copyBaseline(db, jdbc, runs, events, pointsPerEvent, "bench_metrics");
        }
    }

    private static List<UUID> createRuns(JdbcClient jdbc, int runs) {
        UUID experiment = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, project_id) values (?, 'ingestion bench', '{}'::jsonb, "
                + "'00000000-0000-0000-0000-000000000001')").param(experiment).update();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            jdbc.sql("insert into runs (id, experiment_id, seed, spec, status, attempt, started_at) "
                    + "values (?, ?, ?, '{}'::jsonb, 'RUNNING', 1, now())").params(id, experiment, i).update();
            jdbc.sql("insert into run_leases (run_id, owner, expires_at, attempt) "
                    + "values (?, 'ingestion-bench', now() + interval '1 day', 1)").param(id).update();
        }
        return ids;
    }

    private static void measure(String label, LocalPlatform platform, JdbcClient jdbc, int runs, int events,
                                int pointsPerEvent, int concurrency) throws Exception {
        List<UUID> ids = createRuns(jdbc, runs);
        long expected = (long) runs * events * pointsPerEvent;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all"); // as the trainer-service's producer
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        AtomicLong sent = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long maxLag = 0;
        long producersDone = 0;
        long t0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     platform.kafkaBootstrapServers()))) {
            t0 = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (UUID run : ids) {
                futures.add(pool.submit(() -> {
                    for (int e = 0; e < events; e++) {
                        List<MetricPoint> points = new ArrayList<>(pointsPerEvent);
                        for (int p = 0; p < pointsPerEvent; p++) {
                            // a trainer's per-step series: several names, each at this event's steps
                            long step = (long) e * pointsPerEvent / 4 + p / 4;
                            points.add(new MetricPoint("series." + (p % 4), step, e + 1, Math.sin(step + p)));
                        }
                        RunEvent event = new RunEvent.MetricsReported(run, points, 1);
                        producer.send(new ProducerRecord<>(Topics.RUN_EVENTS, run.toString(),
                                EventCodec.encode(event))).get(30, TimeUnit.SECONDS);
                        sent.addAndGet(pointsPerEvent);
                    }
                    return null;
                }));
            }
            long stored = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (stored < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(label + ": only " + stored + " of " + expected
                            + " points stored after 10 minutes");
                }
                Thread.sleep(200);
                if (producersDone == 0 && futures.stream().allMatch(Future::isDone)) {
                    for (Future<?> f : futures) {
                        f.get();
                    }
                    producersDone = System.nanoTime();
                }
                maxLag = Math.max(maxLag, lag(admin));
                stored = jdbc.sql("select count(*) from run_metrics where run_id = any(?)")
                        .param(ids.toArray(new UUID[0])).query(Long.class).single();
            }
            if (producersDone == 0) {
                producersDone = System.nanoTime();
            }
            long t1 = System.nanoTime();
            double seconds = (t1 - t0) / 1e9;
            System.out.printf("RESULT %s runs=%d events_per_run=%d points_per_event=%d at_once=%d points=%d "
                            + "seconds=%.2f points_per_second=%.0f events_per_second=%.0f producers_points_per_second=%.0f "
                            + "max_consumer_lag_records=%d drain_after_producers_seconds=%.2f%n",
                    label, runs, events, pointsPerEvent, concurrency, expected, seconds, expected / seconds,
                    runs * (double) events / seconds, sent.get() / ((producersDone - t0) / 1e9), maxLag,
                    (t1 - producersDone) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Records of the run-events topic the experiment-service has not committed yet. */
    private static long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("experiment-service")
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < 4; p++) {
            latest.put(new TopicPartition(Topics.RUN_EVENTS, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** The same number of points written by COPY straight into run_metrics: what PostgreSQL alone takes here. */
    private static void copyBaseline(DataSource db, JdbcClient jdbc, int runs, int events, int pointsPerEvent,
                                     String table) throws Exception {
        List<UUID> ids = createRuns(jdbc, runs);
        long expected = (long) runs * events * pointsPerEvent;
        long t0 = System.nanoTime();
        try (Connection c = db.getConnection()) {
            StringBuilder rows = new StringBuilder();
            for (UUID run : ids) {
                for (int e = 0; e < events; e++) {
                    for (int p = 0; p < pointsPerEvent; p++) {
                        long step = (long) e * pointsPerEvent / 4 + p / 4;
                        rows.append(run).append('\t').append("series.").append(p % 4).append('\t').append(step)
                                .append('\t').append(e + 1).append('\t').append(Math.sin(step + p)).append('\n');
                    }
                }
            }
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "copy " + table + " (run_id, name, step, epoch, value) from stdin", new StringReader(rows.toString()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("RESULT copy-baseline table=%s points=%d seconds=%.2f points_per_second=%.0f%n", table,
                expected, seconds, expected / seconds);
    }
}
