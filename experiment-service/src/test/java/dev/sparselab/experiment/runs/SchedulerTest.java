package dev.sparselab.experiment.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.spec.Plan;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.experiment.ExperimentProperties;
import dev.sparselab.experiment.outbox.Outbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The scheduler and duplicate detection against real PostgreSQL: which runs are released to the queue,
 * in which order, within which limits, and which orphaned runs are requested again.
 */
class SchedulerTest {
    static EmbeddedPostgres pg;
    static JdbcClient jdbc;
    static TransactionTemplate tx;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(pg.getPostgresDatabase()).load().migrate();
        jdbc = JdbcClient.create(pg.getPostgresDatabase());
        tx = new TransactionTemplate(new JdbcTransactionManager(pg.getPostgresDatabase()));
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @BeforeEach
    void clean() {
        jdbc.sql("truncate experiments, runs, outbox, trainers, checkpoints, asha_rungs cascade").update();
    }

    static Scheduler scheduler(JdbcClient jdbc, DataSource ds, int prefetch, int maxPerUser) {
        return scheduler(jdbc, ds, prefetch, maxPerUser, Clock.systemUTC());
    }

    static Scheduler scheduler(JdbcClient jdbc, DataSource ds, int prefetch, int maxPerUser, Clock clock) {
        return new Scheduler(jdbc, new Outbox(jdbc), new TransactionTemplate(new JdbcTransactionManager(ds)),
                new ExperimentProperties(4, 100, Duration.ofSeconds(10), prefetch, maxPerUser, Duration.ofSeconds(30),
                        Duration.ofSeconds(5), 5, Duration.ofMillis(100), Duration.ofMillis(200), true), clock);
    }

    /** A clock that moves only when told to. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aPassRunsWhenWokenUpOrOnceASecondByTheClock() {
        ManualClock clock = new ManualClock();
        Scheduler s = scheduler(jdbc, pg.getPostgresDatabase(), 0, 0, clock);
        trainer("t1", 4);
        UUID first = run("ann", 1, 0);
        s.tick();
        assertThat(requested()).containsExactly(first);
        UUID second = run("ann", 1, 1);
        clock.advance(Duration.ofMillis(500));
        s.tick();
        assertThat(requested()).as("neither woken nor a second later").containsExactly(first);
        clock.advance(Duration.ofMillis(501));
        s.tick();
        assertThat(requested()).as("a full pass a second after the last").containsExactly(first, second);
        UUID third = run("ann", 1, 2);
        s.wakeUp();
        s.tick();
        assertThat(requested()).as("woken up").containsExactly(first, second, third);
    }

    /** The project V9 puts earlier experiments in. */
    static final UUID DEFAULT_PROJECT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    static UUID run(String owner, int priority, int ordinal) {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, owner, project_id) values (?, 'e', '{}'::jsonb, ?, ?)")
                .params(experiment, owner, DEFAULT_PROJECT).update();
        jdbc.sql("""
                insert into runs (id, experiment_id, seed, spec, owner, priority, ordinal, created_at)
                values (?, ?, 1, '{"name": "r"}'::jsonb, ?, ?, ?, now() + ? * interval '1 second')""")
                .params(run, experiment, owner, priority, ordinal, ordinal).update();
        return run;
    }

    static void trainer(String name, int slots) {
        jdbc.sql("insert into trainers (name, slots, device) values (?, ?, 'cpu()')").params(name, slots).update();
    }

    static List<UUID> requested() {
        return jdbc.sql("select aggregate_id from outbox where topic = 'sparselab.run.requested' order by id")
                .query((rs, i) -> UUID.fromString(rs.getString(1))).list();
    }

    static int release(Scheduler s) {
        return tx.execute(t -> s.release());
    }

    static int requeue(Scheduler s) {
        return tx.execute(t -> s.requeueOrphans());
    }

    static void finishTraining(UUID run) {
        jdbc.sql("update runs set status = 'EVALUATING' where id = ?").param(run).update();
        jdbc.sql("insert into run_leases (run_id, attempt, trained) values (?, 1, true)").param(run).update();
    }

    @Test
    void higherPriorityIsReleasedFirstThenOlder() {
        Scheduler s = scheduler(jdbc, pg.getPostgresDatabase(), 0, 0);
        trainer("t1", 1);
        UUID low = run("ann", 0, 0);
        UUID normal1 = run("ann", 1, 1);
        UUID high = run("ann", 2, 2);
        UUID normal2 = run("ann", 1, 3);
        assertThat(release(s)).isEqualTo(1);
        assertThat(release(s)).as("the one slot is taken").isZero();
        finishTraining(high);
        release(s);
        finishTraining(normal1);
        release(s);
        finishTraining(normal2);
        release(s);
        assertThat(requested()).containsExactly(high, normal1, normal2, low);
    }

    @Test
    void perUserLimitHoldsWhileOthersGoAhead() {
        Scheduler s = scheduler(jdbc, pg.getPostgresDatabase(), 0, 2);
        trainer("t1", 4);
        trainer("t2", 4);
        List<UUID> alice = List.of(run("alice", 1, 0), run("alice", 1, 1), run("alice", 1, 2), run("alice", 1, 3));
        UUID bob = run("bob", 1, 4);
        assertThat(release(s)).isEqualTo(3);
        assertThat(requested()).containsExactly(alice.get(0), alice.get(1), bob);
        assertThat(release(s)).as("alice is at her limit of 2").isZero();
        finishTraining(alice.get(0));
        assertThat(release(s)).isEqualTo(1);
        assertThat(requested()).endsWith(alice.get(2));
    }

    @Test
    void withoutLiveTrainersOnlyThePrefetchIsReleased() {
        Scheduler s = scheduler(jdbc, pg.getPostgresDatabase(), 2, 0);
        for (int i = 0; i < 5; i++) {
            run("ann", 1, i);
        }
        jdbc.sql("insert into trainers (name, slots, device, heartbeat_at) values ('dead', 8, 'cpu()', now() - interval '1 hour')")
                .update();
        assertThat(release(s)).as("a dead trainer's slots do not count; the prefetch keeps lag for autoscaling")
                .isEqualTo(2);
    }

    @Test
    void aRunWhoseLeaseExpiredIsRequestedAgainOncePerAttempt() {
        Scheduler s = scheduler(jdbc, pg.getPostgresDatabase(), 0, 0);
        UUID orphan = run("ann", 1, 0);
        UUID alive = run("ann", 1, 1);
        // the trainers' lease rows (run_leases): one expired a minute ago, one live
        jdbc.sql("update runs set status = 'RUNNING', released_at = now() where id in (?, ?)").params(orphan, alive)
                .update();
        jdbc.sql("""
                insert into run_leases (run_id, owner, expires_at, attempt) values
                  (?, 'dead', now() - interval '1 minute', 1), (?, 'live', now() + interval '1 minute', 1)""")
                .params(orphan, alive).update();
        assertThat(requeue(s)).isEqualTo(1);
        assertThat(requeue(s)).as("once per attempt").isZero();
        assertThat(requested()).containsExactly(orphan);
        // a second trainer took it (attempt 2) and died too
        jdbc.sql("update run_leases set attempt = 2 where run_id = ?").param(orphan).update();
        assertThat(requeue(s)).isEqualTo(1);
    }

    @Test
    void identicalRunsAreFoundUnlessForced() {
        ExperimentService service = new ExperimentService(jdbc, scheduler(jdbc, pg.getPostgresDatabase(), 0, 0), e -> { }, new dev.sparselab.experiment.outbox.Outbox(jdbc));
        String spec = """
                {"name": "%s", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [8]},
                 "training": {"epochs": 1}, "sparsity": {"method": "magnitude", "target": 0.5},
                 "sweep": {"seeds": [1, 2]}%s}""";
        SpecParser parser = new SpecParser();
        Plan first = parser.plan(spec.formatted("first", ""), false);
        ExperimentService.Created created = tx.execute(t ->
                service.submit(first.spec(), first.runs(), "ann", DEFAULT_PROJECT));
        assertThat(created.duplicateOf()).isNull();
        // the same runs under another name and priority: found
        Plan again = parser.plan(spec.formatted("again", ", \"priority\": \"high\""), false);
        ExperimentService.Created dup = tx.execute(t ->
                service.submit(again.spec(), again.runs(), "bob", DEFAULT_PROJECT));
        assertThat(dup.duplicateOf()).isEqualTo(created.id());
        assertThat(dup.runs()).extracting(ExperimentService.CreatedRun::id)
                .containsExactlyElementsOf(created.runs().stream().map(ExperimentService.CreatedRun::id).toList());
        assertThat(jdbc.sql("select count(*) from runs").query(Long.class).single()).isEqualTo(2);
        // another seed is another run
        Plan moreSeeds = parser.plan(spec.formatted("more", "").replace("[1, 2]", "[1, 2, 3]"), false);
        assertThat(tx.execute(t -> service.submit(moreSeeds.spec(), moreSeeds.runs(), "ann", DEFAULT_PROJECT)).duplicateOf()).isNull();
        // forced: trained again
        Plan forced = parser.plan(spec.formatted("forced", ", \"force\": true"), false);
        assertThat(tx.execute(t -> service.submit(forced.spec(), forced.runs(), "ann", DEFAULT_PROJECT)).duplicateOf()).isNull();
        // a failed run does not count as existing
        jdbc.sql("update runs set status = 'FAILED'").update();
        assertThat(tx.execute(t -> service.submit(first.spec(), first.runs(), "ann", DEFAULT_PROJECT)).duplicateOf()).isNull();
        assertThat(jdbc.sql("select count(*) from runs where owner = 'ann'").query(Long.class).single()).isEqualTo(9);
        // identical runs of another project are not answered (nor revealed): trained again there
        UUID other = UUID.randomUUID();
        jdbc.sql("insert into projects (id, name) values (?, 'other')").param(other).update();
        jdbc.sql("update runs set status = 'SUCCEEDED'").update();
        Plan elsewhere = parser.plan(spec.formatted("elsewhere", ""), false);
        assertThat(tx.execute(t -> service.submit(elsewhere.spec(), elsewhere.runs(), "cid", DEFAULT_PROJECT))
                .duplicateOf()).isNotNull();
        ExperimentService.Created there = tx.execute(t -> service.submit(elsewhere.spec(), elsewhere.runs(), "cid",
                other));
        assertThat(there.duplicateOf()).isNull();
        assertThat(jdbc.sql("select project_id from experiments where id = ?").param(there.id()).query(UUID.class)
                .single()).isEqualTo(other);
    }
}
