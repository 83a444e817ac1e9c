package dev.sparselab.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.db.JdbcArtifactStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Leases, fencing and the control path against a real PostgreSQL with the real migrations: two trainers
 * ("a" and "b") compete for one run.
 */
class LeasesTest {
    static final UUID PROJECT = UUID.fromString("00000000-0000-0000-0000-000000000001");
    static EmbeddedPostgres pg;
    static JdbcClient jdbc;
    static TransactionTemplate tx;
    UUID runId;
    Trainer a;
    Trainer b;

    /** One trainer's view: its leases, checkpoints and control state. */
    record Trainer(Leases leases, Checkpoints checkpoints, Cancellations cancellations, String name) {
        static Trainer named(String name) {
            return named(name, jdbc, java.time.Clock.systemUTC());
        }

        static Trainer named(String name, JdbcClient db, java.time.Clock clock) {
            TrainerProperties props = new TrainerProperties(Path.of("/nonexistent"), Path.of("/nonexistent"), name,
                    Duration.ofSeconds(30), 1, Duration.ofSeconds(15), Duration.ofSeconds(3), Duration.ofMinutes(5));
            Cancellations cancellations = new Cancellations();
            return new Trainer(new Leases(db, tx, props, new TrainerIdentity(props), cancellations, clock),
                    new Checkpoints(jdbc, tx, new JdbcArtifactStore(jdbc)), cancellations, name);
        }
    }

    /** A clock the test moves. */
    static final class TestClock extends java.time.Clock {
        private final java.util.concurrent.atomic.AtomicLong millis =
                new java.util.concurrent.atomic.AtomicLong(1_000_000);

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis());
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** PostgreSQL as a trainer sees it, that the test can take away. */
    static final class Unplugged extends org.springframework.jdbc.datasource.DelegatingDataSource {
        volatile boolean away;

        Unplugged(javax.sql.DataSource target) {
            super(target);
        }

        @Override
        public java.sql.Connection getConnection() throws java.sql.SQLException {
            if (away) {
                throw new java.sql.SQLException("Connection refused", "08001");
            }
            return super.getConnection();
        }
    }

    @Test
    void aTrainerThatCannotRenewForLongerThanTheLeaseStopsTheRun() {
        Unplugged db = new Unplugged(pg.getPostgresDatabase());
        TestClock clock = new TestClock();
        Trainer c = Trainer.named("c", JdbcClient.create(db), clock);
        assertThat(c.leases().claim(runId)).isEqualTo(new Leases.Claim.Taken(1));
        db.away = true;
        clock.advance(Duration.ofSeconds(10));
        c.leases().heartbeat();
        assertThat(c.leases().isLost(runId)).as("within the lease: still ours").isFalse();
        clock.advance(Duration.ofSeconds(6));
        c.leases().heartbeat();
        assertThat(c.leases().isLost(runId)).as("past the lease by our own clock").isTrue();
        db.away = false;
        // back: nothing more is written by this attempt, even though nobody else took the run yet
        assertThatThrownBy(() -> c.leases().verify(runId, 1)).isInstanceOf(Leases.LeaseLostException.class);
    }

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
    void newRun() {
        UUID experiment = UUID.randomUUID();
        runId = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, project_id) values (?, 'e', '{}'::jsonb, ?)")
                .params(experiment, PROJECT).update();
        jdbc.sql("insert into runs (id, experiment_id, seed, spec, status) values (?, ?, 1, '{}'::jsonb, 'RUNNING')")
                .params(runId, experiment).update();
        a = Trainer.named("a");
        b = Trainer.named("b");
    }

    static Checkpoint checkpoint(long step) {
        return new Checkpoint("spec", 0, (int) step, step, Map.of("samples", 1.0),
                Map.of("param/fc1.weight", new ModelArtifact.Tensor(new long[]{2}, new float[]{step, 1})));
    }

    void expireLease() {
        jdbc.sql("update run_leases set expires_at = now() - interval '1 second' where run_id = ?").param(runId).update();
    }

    long checkpoints(String trainer) {
        return jdbc.sql("select count(*) from checkpoints where run_id = ? and trainer = ?").params(runId, trainer)
                .query(Long.class).single();
    }

    @Test
    void aRunIsHeldByOneTrainerAtATimeAndEachTakeIsANewAttempt() {
        assertThat(a.leases().claim(runId)).isEqualTo(new Leases.Claim.Taken(1));
        assertThat(b.leases().claim(runId)).isInstanceOf(Leases.Claim.HeldElsewhere.class);
        expireLease();
        assertThat(b.leases().claim(runId)).isEqualTo(new Leases.Claim.Taken(2));
        assertThat(jdbc.sql("select owner from run_leases where run_id = ?").param(runId).query(String.class).single())
                .isEqualTo("b");
    }

    @Test
    void aTrainerThatLostItsLeaseWritesNothingMore() {
        a.leases().claim(runId);
        a.checkpoints().save(runId, 1, checkpoint(10), "a");
        expireLease();
        b.leases().claim(runId);
        b.checkpoints().save(runId, 2, checkpoint(20), "b");

        // a comes back: its renewal finds the lease gone, so the run is lost to it
        a.leases().heartbeat();
        assertThat(a.leases().isLost(runId)).isTrue();
        assertThatThrownBy(() -> a.leases().verify(runId, 1)).isInstanceOf(Leases.LeaseLostException.class);
        // a checkpoint of the old attempt is refused, and nothing of it is stored
        long artifacts = jdbc.sql("select count(*) from artifacts").query(Long.class).single();
        assertThatThrownBy(() -> a.checkpoints().save(runId, 1, checkpoint(30), "a"))
                .isInstanceOf(Leases.LeaseLostException.class);
        assertThat(jdbc.sql("select count(*) from artifacts").query(Long.class).single()).isEqualTo(artifacts);
        assertThat(checkpoints("b")).isOne();
        // its release neither ends the run nor deletes the new attempt's checkpoints
        assertThat(a.leases().release(runId, 1, true)).isFalse();
        assertThat(jdbc.sql("select trained from run_leases where run_id = ?").param(runId).query(Boolean.class).single())
                .isFalse();
        assertThat(checkpoints("b")).isOne();
        // the holder still renews, and its release (trained) ends the run and deletes the checkpoints
        b.leases().heartbeat();
        assertThat(b.leases().isLost(runId)).isFalse();
        b.leases().verify(runId, 2);
        assertThat(b.leases().release(runId, 2, true)).isTrue();
        assertThat(jdbc.sql("select trained from run_leases where run_id = ?").param(runId).query(Boolean.class).single())
                .isTrue();
        assertThat(checkpoints("b")).isZero();
        assertThat(checkpoints("a")).isZero();
    }

    @Test
    void aCancelOrAStopEarlyReachesTheHolderThroughItsRenewal() {
        a.leases().claim(runId);
        assertThat(a.cancellations().shouldStopEarly(runId)).isFalse();
        jdbc.sql("update runs set stop_early_requested = true where id = ?").param(runId).update();
        a.leases().heartbeat();
        assertThat(a.cancellations().shouldStopEarly(runId)).isTrue();
        assertThat(a.cancellations().isCancelled(runId)).isFalse();
        jdbc.sql("update runs set status = 'CANCELLED' where id = ?").param(runId).update();
        a.leases().heartbeat();
        assertThat(a.cancellations().isCancelled(runId)).isTrue();
    }

    @Test
    void aStopEarlyRequestedBeforeTheClaimIsSeenAtTheClaim() {
        jdbc.sql("update runs set stop_early_requested = true where id = ?").param(runId).update();
        a.leases().claim(runId);
        assertThat(a.cancellations().shouldStopEarly(runId)).isTrue();
    }

    @Test
    void aCancelledRunIsNotTaken() {
        jdbc.sql("update runs set status = 'CANCELLED' where id = ?").param(runId).update();
        assertThat(a.leases().claim(runId)).isEqualTo(new Leases.Claim.Done("CANCELLED"));
    }

    /** The trainer keeps its lease data in run_leases and never writes the experiment-service's runs row. */
    @Test
    void aTrainerNeverWritesTheRunsRow() {
        String before = runsRow();
        a.leases().claim(runId);
        a.checkpoints().save(runId, 1, checkpoint(10), "a");
        a.leases().heartbeat();
        expireLease();
        b.leases().claim(runId);
        a.leases().heartbeat();
        b.leases().heartbeat();
        b.leases().release(runId, 2, true);
        assertThat(runsRow()).isEqualTo(before);
        assertThat(jdbc.sql("select attempt from run_leases where run_id = ?").param(runId).query(Integer.class)
                .single()).isEqualTo(2);
    }

    String runsRow() {
        return jdbc.sql("select row_to_json(r)::text from runs r where id = ?").param(runId).query(String.class)
                .single();
    }
}
