package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.experiment.ExperimentProperties;
import dev.sparselab.experiment.outbox.Outbox;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Releases queued runs to the trainers' queue ({@code sparselab.run.requested}, through the outbox):
 * highest priority first, then oldest, as long as (1) the runs released and not yet trained fit the live
 * trainers' slots plus a small prefetch, and (2) the owner has fewer than {@code maxActivePerUser} runs
 * released or running. Kafka delivers in order within a partition, so holding runs back here is what
 * makes priorities and per-user limits hold. The prefetch keeps a little lag on the queue, so that an
 * autoscaler watching the lag starts trainers from zero.
 *
 * <p>It also watches leases: a RUNNING run whose trainer stopped renewing its lease is requested again
 * (once per attempt), so another trainer resumes it even when Kafka will not redeliver the original request.
 * One scheduler acts at a time (a PostgreSQL advisory lock), however many experiment-services run.
 */
@Component
class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    private static final long LOCK = 0x5350_4C41_4231L;

    private final JdbcClient jdbc;
    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final ExperimentProperties props;
    private final AtomicBoolean pending = new AtomicBoolean();

    private final java.time.Clock clock;

    Scheduler(JdbcClient jdbc, Outbox outbox, TransactionTemplate tx, ExperimentProperties props, java.time.Clock clock) {
        this.clock = clock;
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.tx = tx;
        this.props = props;
    }

    /** Asks for a scheduling pass soon (after a submission or a finished run). */
    public void wakeUp() {
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            pending.set(true);
                        }
                    });
        } else {
            pending.set(true);
        }
    }

    /** A pass when woken up, else a full pass once a second (by the injected clock). */
    @Scheduled(fixedDelayString = "${sparselab.experiment.schedule-poll:100ms}")
    void tick() {
        long now = clock.millis();
        if (pending.getAndSet(false) || now - lastFull > 1000) {
            lastFull = now;
            try {
                tx.executeWithoutResult(s -> {
                    if (Boolean.TRUE.equals(jdbc.sql("select pg_try_advisory_xact_lock(?)").param(LOCK)
                            .query(Boolean.class).single())) {
                        requeueOrphans();
                        release();
                    }
                });
            } catch (RuntimeException e) {
                log.warn("scheduling pass failed (will retry): {}", e.toString());
            }
        }
    }

    private long lastFull;

    /** A queued run waiting for release. */
    record Waiting(UUID id, UUID experimentId, String owner, String spec, String traceParent) {
    }

    /** Whether run {@code r}'s training has ended for good (its trainer released it as trained; run_leases). */
    private static final String TRAINED =
            "exists (select 1 from run_leases l where l.run_id = r.id and l.trained)";

    /** Releases what fits; returns how many runs were released. */
    int release() {
        long slots = jdbc.sql("""
                select coalesce(sum(slots), 0) from trainers
                where heartbeat_at > now() - ? * interval '1 millisecond'""")
                .param(props.trainerTimeout().toMillis()).query(Long.class).single();
        long active = jdbc.sql("""
                select count(*) from runs r where released_at is not null and status in ('QUEUED', 'RUNNING')
                """ + " and not " + TRAINED).query(Long.class).single();
        long room = slots + props.prefetch() - active;
        if (room <= 0) {
            return 0;
        }
        Map<String, Long> perUser = new HashMap<>();
        jdbc.sql("""
                select owner, count(*) from runs r where released_at is not null and status in ('QUEUED', 'RUNNING')
                """ + " and not " + TRAINED + " group by owner")
                .query((rs, i) -> perUser.put(rs.getString(1), rs.getLong(2))).list();
        List<Waiting> waiting = jdbc.sql("""
                select id, experiment_id, owner, spec::text, trace_parent from runs
                where released_at is null and status = 'QUEUED'
                order by priority desc, created_at, ordinal limit ?""")
                .param(Math.min(room * 20 + 100, 5000))
                .query((rs, i) -> new Waiting(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getString(4), rs.getString(5)))
                .list();
        int released = 0;
        for (Waiting w : waiting) {
            if (released >= room) {
                break;
            }
            long mine = perUser.getOrDefault(w.owner(), 0L);
            if (props.maxActivePerUser() > 0 && mine >= props.maxActivePerUser()) {
                continue;
            }
            jdbc.sql("update runs set released_at = now(), updated_at = now() where id = ?").param(w.id()).update();
            // in the submission's trace: the run's training and evaluation continue it
            outbox.append(Topics.RUN_REQUESTED, "run", w.id().toString(),
                    RunRequested.of(w.id(), w.experimentId(), EventCodec.decode(w.spec(), ExperimentSpec.class)),
                    w.traceParent());
            perUser.put(w.owner(), mine + 1);
            released++;
        }
        if (released > 0) {
            log.debug("released {} runs ({} slots, {} active)", released, slots, active);
        }
        return released;
    }

    /** Requests again every RUNNING run whose lease expired, once per attempt. */
    int requeueOrphans() {
        List<Waiting> orphans = jdbc.sql("""
                update runs r set requeued_attempt = l.attempt, updated_at = now()
                from run_leases l
                where l.run_id = r.id and r.status = 'RUNNING' and not l.trained
                  and l.expires_at < now() - ? * interval '1 millisecond' and r.requeued_attempt < l.attempt
                returning r.id, r.experiment_id, r.owner, r.spec::text, r.trace_parent""")
                .param(props.orphanGrace().toMillis())
                .query((rs, i) -> new Waiting(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getString(4), rs.getString(5)))
                .list();
        for (Waiting w : orphans) {
            log.info("run {} lost its trainer (lease expired): requesting it again", w.id());
            outbox.append(Topics.RUN_REQUESTED, "run", w.id().toString(),
                    RunRequested.of(w.id(), w.experimentId(), EventCodec.decode(w.spec(), ExperimentSpec.class)),
                    w.traceParent());
        }
        return orphans.size();
    }
}
