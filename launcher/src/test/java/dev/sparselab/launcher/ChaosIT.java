package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Chaos: every service in a process of its own (as docker-compose runs them, {@link ComposeServices}), with two
 * trainers, a real PostgreSQL server and a KRaft broker in a process of its own. Sweeps of short runs (seven a
 * phase, six phases: 42 runs) are submitted while a seeded schedule kills with SIGKILL, one at a time, a trainer,
 * the evaluator, the experiment-service, the gateway, the broker and PostgreSQL, and starts each again after a
 * few seconds. A client polls the API all the while.
 *
 * <p>Afterwards the invariants: every run ended exactly once (one terminal transition in {@code run_history}),
 * SUCCEEDED; each has exactly one metric point per epoch and metric (no gaps, no duplicates), one evaluation of
 * the artifact the run names; no dead letters; no parked outbox rows; the API answered only 2xx, 4xx or 503 (never
 * 500) during the faults. The recovery time per fault is printed: from the restart to the component serving again
 * and the platform's next applied run event. The schedule's seed is printed and can be set with
 * {@code -Dchaos.seed=N}.
 */
class ChaosIT {
    static final long SEED = Long.getLong("chaos.seed", 20261130L);
    static final int PHASE_RUNS = 7;
    static final int EPOCHS = 3;
    static final List<String> FAULTS = List.of("trainer", "evaluator-service", "experiment-service", "gateway",
            "broker", "postgres");

    @TempDir
    static Path dir;
    static ComposeServices compose;
    static JdbcClient db;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        compose = new ComposeServices(dir, true);
        compose.startAll("trainer-1", "trainer-2");
        db = JdbcClient.create(compose.dataSource());
        api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
    }

    @AfterAll
    static void stop() throws Exception {
        if (compose != null) {
            compose.close();
        }
    }

    static String sweep(int phase) {
        List<Integer> seeds = new ArrayList<>();
        for (int i = 0; i < PHASE_RUNS; i++) {
            seeds.add(phase * 100 + i);
        }
        return """
                {"name": "chaos %d", "force": true, "dataset": {"name": "synthetic", "testSubset": 300},
                 "model": {"type": "mlp", "hidden": [48], "activation": "relu"},
                 "training": {"epochs": %d, "batchSize": 50, "seed": 1,
                              "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}},
                 "sparsity": {"method": "random", "target": 0.5},
                 "sweep": {"seeds": %s}}""".formatted(phase, EPOCHS, seeds);
    }

    /** Polls the API through the gateway while faults happen, counting answers by status. */
    static final class Poller implements Runnable {
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        final AtomicLong unreachable = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<String> bad = Collections.synchronizedList(new ArrayList<>());
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final String token;

        Poller(String token) {
            this.token = token;
        }

        @Override
        public void run() {
            List<String> paths = List.of("/api/v1/runs?limit=20", "/api/v1/experiments", "/api/v1/catalog");
            int i = 0;
            while (running.get()) {
                String path = paths.get(i++ % paths.size());
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://localhost:" + compose.port("gateway") + path))
                            .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token).GET()
                            .build(), HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
                    if (r.statusCode() >= 500 && r.statusCode() != 503) {
                        bad.add(r.statusCode() + " " + path + ": " + r.body());
                    }
                } catch (java.io.IOException e) {
                    unreachable.incrementAndGet(); // the gateway itself is down: no answer at all
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Submits through the gateway, retrying while the platform recovers; returns the experiment id. */
    static String submit(String spec) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            try {
                Api.Response r = api.post("/api/v1/experiments", "application/json", spec);
                if (r.status() == 201) {
                    return r.body().get("id").asString();
                }
                if (r.status() != 503 || Instant.now().isAfter(deadline)) {
                    throw new AssertionError("submit: " + r.status() + " " + r.body());
                }
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            Thread.sleep(500);
        }
    }

    /** Runs a query until it answers (PostgreSQL may be restarting), up to a deadline. */
    static <T> T query(java.util.function.Supplier<T> q) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            try {
                return q.get();
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * What a failure leaves for whoever reads the build log (the services' own logs are in the temp folder, which
     * is deleted): the runs that did not end, with their leases and history, the dead letters, and the end of every
     * service's log.
     */
    static void diagnose() {
        try {
            System.out.println("runs not ended: " + db.sql("""
                    select r.id || ' ' || r.status || ' attempt=' || r.attempt || ' completed=' ||
                      coalesce(r.completed_attempt::text, '-') || ' evaluation=' || coalesce(r.evaluation_outcome, '-')
                      || ' lease=' || coalesce(l.owner, '-') || '/' || coalesce(l.attempt::text, '-') || '/trained='
                      || coalesce(l.trained::text, '-') || '/expires=' || coalesce(l.expires_at::text, '-')
                    from runs r left join run_leases l on l.run_id = r.id
                    where r.status not in ('SUCCEEDED', 'FAILED', 'CANCELLED')""").query(String.class).list());
            System.out.println("their history: " + db.sql("""
                    select h.run_id || ' ' || h.event || ' ' || coalesce(h.attempt::text, '-') || ' ' || h.applied
                      || ' ' || coalesce(h.detail, '')
                    from run_history h join runs r on r.id = h.run_id
                    where r.status not in ('SUCCEEDED', 'FAILED', 'CANCELLED') order by h.run_id, h.id""")
                    .query(String.class).list());
            System.out.println("dead letters: " + db.sql("select count(*) from dead_letters").query(Long.class)
                    .single());
        } catch (RuntimeException e) {
            System.out.println("cannot read the database: " + e);
        }
        List<String> stuck;
        try {
            stuck = db.sql("select id::text from runs where status not in ('SUCCEEDED', 'FAILED', 'CANCELLED')")
                    .query(String.class).list();
        } catch (RuntimeException e) {
            stuck = List.of();
        }
        try (var logs = java.nio.file.Files.walk(dir, 3)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                // ISO-8859-1 reads any byte (a log cut by a kill -9 may end inside a UTF-8 character)
                List<String> lines = java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
                List<String> ids = stuck;
                System.out.println("---- lines of " + log.getFileName() + " naming a run that did not end");
                lines.stream().filter(l -> ids.stream().anyMatch(l::contains)).forEach(System.out::println);
                System.out.println("---- last 60 lines of " + log.getFileName());
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
            }
        } catch (java.io.IOException | RuntimeException e) {
            System.out.println("cannot read the logs: " + e);
        }
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // PostgreSQL restarting
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " did not happen within " + timeout);
    }

    @Test
    void theInvariantsHoldWhileEveryComponentIsKilledAndRestarted() throws Exception {
        Random random = new Random(SEED);
        List<String> schedule = new ArrayList<>(FAULTS);
        Collections.shuffle(schedule, random);
        System.out.printf("chaos seed %d: %s%n", SEED, schedule);
        Poller poller = new Poller(compose.adminToken());
        Thread polling = new Thread(poller, "api-poller");
        polling.start();
        List<String> experiments = new ArrayList<>();
        Map<String, Double> recovery = new LinkedHashMap<>();
        try {
            int phase = 0;
            for (String fault : schedule) {
                String experiment = submit(sweep(++phase));
                experiments.add(experiment);
                // a fault while this phase's runs are in flight
                await("a run of phase " + phase + " training", Duration.ofMinutes(3), () -> db.sql("""
                        select count(*) from runs where experiment_id = ?::uuid
                          and status in ('RUNNING', 'EVALUATING', 'SUCCEEDED')""").param(experiment)
                        .query(Long.class).single() > 0);
                Thread.sleep(random.nextInt(1500));
                String target = fault;
                if (fault.equals("trainer")) {
                    // the trainer holding a run, if one does
                    target = query(() -> db.sql("""
                            select owner from run_leases where owner like 'trainer-%' order by updated_at desc
                            limit 1""").query(String.class).optional().orElse("trainer-1"));
                }
                long down = 2000 + random.nextInt(4000);
                System.out.printf("fault %d: kill -9 %s for %.1f s%n", phase, target, down / 1000.0);
                kill(target);
                Thread.sleep(down);
                Instant restarted = Instant.now();
                restart(target);
                Instant serving = Instant.now();
                // and the platform moves again: a run event applied after the restart (when runs are unfinished;
                // a gateway restart can outlast a whole phase)
                java.sql.Timestamp since = java.sql.Timestamp.from(restarted);
                boolean pending = query(() -> db.sql("""
                        select count(*) from runs where status not in ('SUCCEEDED', 'FAILED', 'CANCELLED')""")
                        .query(Long.class).single() > 0);
                if (pending) {
                    await("a run event applied after restarting " + target, Duration.ofMinutes(3), () -> db.sql(
                            "select count(*) from run_history where at > ?").param(since).query(Long.class).single() > 0);
                }
                Instant moving = Instant.now();
                double seconds = Duration.between(restarted, moving).toMillis() / 1000.0;
                recovery.put(fault, seconds);
                System.out.printf("fault %d (%s): serving after %.1f s, %s after %.1f s%n", phase, fault,
                        Duration.between(restarted, serving).toMillis() / 1000.0,
                        pending ? "next run event applied" : "nothing left to apply; recovered", seconds);
            }
            try {
                await("all runs ended", Duration.ofMinutes(8), () -> db.sql("""
                        select count(*) from runs where status not in ('SUCCEEDED', 'FAILED', 'CANCELLED')""")
                        .query(Long.class).single() == 0);
            } catch (AssertionError e) {
                diagnose();
                throw e;
            }
        } finally {
            poller.running.set(false);
            polling.join(30_000);
        }
        System.out.printf("recovery after restart (s), per fault: %s%n", recovery);
        System.out.printf("API answers during the faults: %s; no answer (gateway down): %d%n", poller.statuses,
                poller.unreachable.get());

        long runs = db.sql("select count(*) from runs").query(Long.class).single();
        assertThat(runs).isEqualTo((long) PHASE_RUNS * FAULTS.size()).isGreaterThanOrEqualTo(40);
        assertThat(db.sql("select status, count(*) from runs group by status")
                .query((rs, i) -> rs.getString(1) + "=" + rs.getLong(2)).list())
                .containsExactly("SUCCEEDED=" + runs);
        // every run ended exactly once
        assertThat(db.sql("""
                select r.id from runs r where (select count(*) from run_history h
                  where h.run_id = r.id and h.event like 'status:%') <> 1""").query(String.class).list())
                .as("runs without exactly one terminal transition").isEmpty();
        // exactly its metric points: one per epoch for each metric, no gaps, no duplicates
        assertThat(db.sql("""
                select r.id || ' ' || n.name from runs r cross join (values ('train.loss'), ('train.accuracy')) n(name)
                where (select count(*) from run_metrics m where m.run_id = r.id and m.name = n.name) <> ?
                   or (select count(distinct epoch) from run_metrics m where m.run_id = r.id and m.name = n.name) <> ?
                   or (select max(epoch) from run_metrics m where m.run_id = r.id and m.name = n.name) <> ?""")
                .params(EPOCHS, EPOCHS, EPOCHS).query(String.class).list())
                .as("runs whose metric series are not exactly one point per epoch").isEmpty();
        // one evaluation each, of the artifact the run names
        assertThat(db.sql("""
                select r.id from runs r left join evaluations e on e.run_id = r.id
                where e.run_id is null or e.artifact_sha256 <> r.artifact_sha256""").query(String.class).list())
                .as("runs without an evaluation of their artifact").isEmpty();
        assertThat(db.sql("select count(*) from dead_letters").query(Long.class).single()).as("dead letters").isZero();
        assertThat(db.sql("select count(*) from outbox where published_at is null").query(Long.class).single())
                .as("outbox rows not delivered").isZero();
        assertThat(poller.bad).as("5xx answers other than 503").isEmpty();
        assertThat(poller.statuses.keySet()).allMatch(s -> s < 300 || s >= 400 && s < 500 || s == 503);
        assertThat(poller.statuses.getOrDefault(200, new AtomicLong()).get()).isPositive();
        assertThat(experiments).hasSize(FAULTS.size());
    }

    static void kill(String target) throws Exception {
        switch (target) {
            case "broker" -> compose.killBroker();
            case "postgres" -> compose.killPostgres();
            default -> compose.kill(target);
        }
    }

    /** Starts the component again and waits until it serves (health, port, or a query answering). */
    static void restart(String target) throws Exception {
        switch (target) {
            case "broker" -> compose.restartBroker();
            case "postgres" -> {
                compose.restartPostgres();
                query(() -> db.sql("select 1").query(Integer.class).single());
            }
            default -> {
                compose.restart(target);
                compose.awaitReady(target);
            }
        }
    }
}
