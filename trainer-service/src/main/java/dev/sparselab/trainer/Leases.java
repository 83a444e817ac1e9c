package dev.sparselab.trainer;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which trainer trains which run: a lease in {@code run_leases} (the trainer-service's own table; it never
 * writes the experiment-service's {@code runs}, which it only reads for the run's status and stop-early flag),
 * taken atomically, renewed by this trainer's heartbeat and dropped when the run ends. A run whose lease has expired (its trainer died or was paused)
 * can be taken by any trainer, which then resumes it from its last checkpoint.
 *
 * <p><b>Fencing.</b> Taking a run increments its attempt; the attempt is this trainer's fencing token and
 * every write it makes for the run carries it: its events (the experiment-service ignores an older
 * attempt's), its checkpoints (written and deleted only while the lease row still names this trainer and
 * attempt) and its lease renewals. A renewal that finds the lease gone (expired and taken by another trainer,
 * or released), or that cannot reach PostgreSQL for longer than the lease, marks the run <em>lost</em>: the
 * training stops at its next step and writes nothing more.
 *
 * <p><b>Control.</b> Each renewal also reads the run's status and stop-early flag, so a cancel or an ASHA
 * stop issued while no trainer was listening on the control topic still stops the run within a heartbeat.
 *
 * <p>The heartbeat also keeps this trainer's row in {@code trainers} fresh, from which the experiment-service
 * learns how many slots are alive.
 */
@Component
class Leases {
    private static final Logger log = LoggerFactory.getLogger(Leases.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final TrainerProperties props;
    private final TrainerIdentity identity;
    private final Cancellations cancellations;
    /** Runs held by this trainer: run → attempt. */
    private final Map<UUID, Held> held = new ConcurrentHashMap<>();
    private final Set<UUID> lost = ConcurrentHashMap.newKeySet();

    /** A held run: its attempt and when its lease was last confirmed (the clock's millis). */
    private record Held(int attempt, long renewedAt) {
    }

    private final java.time.Clock clock;

    Leases(JdbcClient jdbc, TransactionTemplate tx, TrainerProperties props, TrainerIdentity identity,
           Cancellations cancellations, java.time.Clock clock) {
        this.clock = clock;
        this.jdbc = jdbc;
        this.tx = tx;
        this.props = props;
        this.identity = identity;
        this.cancellations = cancellations;
    }

    /** The outcome of trying to take a run. */
    sealed interface Claim {
        /** Taken: this is attempt {@code attempt} at the run. */
        record Taken(int attempt) implements Claim {
        }

        /** Another live trainer holds it, until at least {@code expiresInMillis} from now. */
        record HeldElsewhere(String owner, long expiresInMillis) implements Claim {
        }

        /** The run is finished, cancelled or unknown: nothing to train. */
        record Done(String status) implements Claim {
        }
    }

    /** This trainer no longer holds the run (its lease expired or was taken over): it must write nothing more. */
    static final class LeaseLostException extends RuntimeException {
        LeaseLostException(UUID runId, int attempt) {
            super("run " + runId + ": attempt " + attempt + " lost its lease; another trainer may hold the run");
        }
    }

    Claim claim(UUID runId) {
        if (held.containsKey(runId)) {
            return new Claim.HeldElsewhere(identity.name() + " (this trainer, another slot)", 0);
        }
        long t = clock.millis();
        // a run still to train: a new lease row, or a free or expired one taken over (attempt + 1)
        Optional<Object[]> taken = jdbc.sql("""
                insert into run_leases as l (run_id, owner, expires_at, attempt)
                select r.id, ?, now() + ? * interval '1 millisecond', 1 from runs r
                where r.id = ? and r.status in ('QUEUED', 'RUNNING')
                on conflict (run_id) do update set owner = excluded.owner, expires_at = excluded.expires_at,
                  attempt = l.attempt + 1, updated_at = now()
                where not l.trained and (l.owner is null or l.expires_at < now())
                returning l.attempt, (select r.stop_early_requested from runs r where r.id = l.run_id)""")
                .params(identity.name(), props.leaseTtl().toMillis(), runId)
                .query((rs, i) -> new Object[]{rs.getInt(1), rs.getBoolean(2)}).optional();
        if (taken.isPresent()) {
            int attempt = (Integer) taken.get()[0];
            lost.remove(runId);
            held.put(runId, new Held(attempt, t));
            if ((Boolean) taken.get()[1]) {
                cancellations.stopEarly(runId);
            }
            return new Claim.Taken(attempt);
        }
        return jdbc.sql("""
                select r.status, l.owner,
                  greatest(0, extract(epoch from (l.expires_at - now())) * 1000)::bigint, coalesce(l.trained, false)
                from runs r left join run_leases l on l.run_id = r.id where r.id = ?""").param(runId)
                .query((rs, i) -> !rs.getBoolean(4)
                        && (rs.getString(1).equals("QUEUED") || rs.getString(1).equals("RUNNING"))
                        ? (Claim) new Claim.HeldElsewhere(rs.getString(2), rs.getLong(3))
                        : new Claim.Done(rs.getString(1)))
                .optional().orElse(new Claim.Done("UNKNOWN"));
    }

    /** Whether this trainer's attempt at the run has lost its lease (known from a heartbeat). */
    boolean isLost(UUID runId) {
        return lost.contains(runId);
    }

    /**
     * Checks in PostgreSQL, right before a write that must come from the lease holder only, that this
     * trainer still holds the run with this attempt; throws {@link LeaseLostException} otherwise.
     */
    void verify(UUID runId, int attempt) {
        boolean holds = !lost.contains(runId) && jdbc.sql("""
                select count(*) from run_leases where run_id = ? and owner = ? and attempt = ?
                  and expires_at > now()""")
                .params(runId, identity.name(), attempt).query(Long.class).single() > 0;
        if (!holds) {
            markLost(runId, attempt);
            throw new LeaseLostException(runId, attempt);
        }
    }

    String owner() {
        return identity.name();
    }

    /**
     * Lets go of a run, if this attempt still holds it. {@code trained}: training has ended for good
     * (completed, failed or cancelled and reported), so no trainer may take the run again, even if its
     * request is delivered once more, and its checkpoints are deleted (in the same transaction).
     * Returns whether this attempt still held the run.
     */
    boolean release(UUID runId, int attempt, boolean trained) {
        held.remove(runId);
        boolean wasLost = lost.remove(runId);
        Boolean released = tx.execute(s -> {
            int n = jdbc.sql("""
                    update run_leases set owner = null, expires_at = null, trained = trained or ?, updated_at = now()
                    where run_id = ? and owner = ? and attempt = ?""")
                    .params(trained, runId, identity.name(), attempt).update();
            if (n > 0 && trained) {
                Checkpoints.deleteAll(jdbc, runId);
            }
            return n > 0;
        });
        if (!Boolean.TRUE.equals(released) && !wasLost) {
            log.warn("run {}: attempt {} no longer held its lease when it ended; nothing written", runId, attempt);
        }
        return Boolean.TRUE.equals(released);
    }

    @Scheduled(fixedDelayString = "${sparselab.trainer.heartbeat:3s}")
    void heartbeat() {
        try {
            jdbc.sql("""
                    insert into trainers (name, slots, device) values (?, ?, ?)
                    on conflict (name) do update set heartbeat_at = now(), slots = excluded.slots""")
                    .params(identity.name(), identity.slots(), identity.device()).update();
        } catch (RuntimeException e) {
            log.warn("heartbeat failed (will retry): {}", e.toString());
        }
        for (Map.Entry<UUID, Held> entry : held.entrySet()) {
            renew(entry.getKey(), entry.getValue());
        }
    }

    /** Renews one lease, and reads the run's status and stop-early flag (the control path that cannot be missed). */
    private void renew(UUID runId, Held h) {
        long t = clock.millis();
        try {
            Optional<Object[]> row = jdbc.sql("""
                    update run_leases l set expires_at = now() + ? * interval '1 millisecond'
                    from runs r
                    where l.run_id = ? and r.id = l.run_id and l.owner = ? and l.attempt = ? and l.expires_at > now()
                    returning r.status, r.stop_early_requested""")
                    .params(props.leaseTtl().toMillis(), runId, identity.name(), h.attempt())
                    .query((rs, i) -> new Object[]{rs.getString(1), rs.getBoolean(2)}).optional();
            if (row.isEmpty()) {
                markLost(runId, h.attempt());
                return;
            }
            held.replace(runId, h, new Held(h.attempt(), t));
            if ("CANCELLED".equals(row.get()[0])) {
                cancellations.cancel(runId);
            }
            if ((Boolean) row.get()[1]) {
                cancellations.stopEarly(runId);
            }
        } catch (RuntimeException e) {
            // PostgreSQL away: the lease is ours only until it expires by our own clock
            if (t - h.renewedAt() >= props.leaseTtl().toMillis()) {
                log.warn("run {}: lease not renewed for {} (PostgreSQL: {})", runId, props.leaseTtl(), e.toString());
                markLost(runId, h.attempt());
            } else {
                log.warn("lease renewal of run {} failed (will retry): {}", runId, e.toString());
            }
        }
    }

    private void markLost(UUID runId, int attempt) {
        if (held.containsKey(runId) && lost.add(runId)) {
            log.warn("run {}: attempt {} lost its lease; stopping it without writing anything more", runId, attempt);
        }
    }

    /** Leaves the trainers table on a clean shutdown, so the scheduler stops counting this trainer's slots. */
    @jakarta.annotation.PreDestroy
    void leave() {
        try {
            jdbc.sql("delete from trainers where name = ?").param(identity.name()).update();
        } catch (RuntimeException e) {
            log.debug("could not leave the trainers table: {}", e.toString());
        }
    }
}
