package dev.sparselab.trainer;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Which trainer trains which run: a lease in the run's row, taken atomically, renewed by this trainer's
 * heartbeat and dropped when the run ends. A run whose lease has expired (its trainer died) can be taken
 * by any trainer, which then resumes it from its last checkpoint; two trainers never hold one run.
 * The heartbeat also keeps this trainer's row in {@code trainers} fresh, from which the experiment-service
 * learns how many slots are alive.
 */
@Component
class Leases {
    private static final Logger log = LoggerFactory.getLogger(Leases.class);

    private final JdbcClient jdbc;
    private final TrainerProperties props;
    private final TrainerIdentity identity;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();

    Leases(JdbcClient jdbc, TrainerProperties props, TrainerIdentity identity) {
        this.jdbc = jdbc;
        this.props = props;
        this.identity = identity;
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

    Claim claim(UUID runId) {
        if (held.contains(runId)) {
            return new Claim.HeldElsewhere(identity.name() + " (this trainer, another slot)", 0);
        }
        Optional<Integer> attempt = jdbc.sql("""
                update runs set lease_owner = ?, lease_expires_at = now() + ? * interval '1 millisecond',
                  attempt = attempt + 1, updated_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING') and not trained
                  and (lease_owner is null or lease_expires_at < now())
                returning attempt""")
                .params(identity.name(), props.leaseTtl().toMillis(), runId)
                .query(Integer.class).optional();
        if (attempt.isPresent()) {
            held.add(runId);
            return new Claim.Taken(attempt.get());
        }
        return jdbc.sql("""
                select status, lease_owner,
                  greatest(0, extract(epoch from (lease_expires_at - now())) * 1000)::bigint, trained
                from runs where id = ?""").param(runId)
                .query((rs, i) -> !rs.getBoolean(4)
                        && (rs.getString(1).equals("QUEUED") || rs.getString(1).equals("RUNNING"))
                        ? (Claim) new Claim.HeldElsewhere(rs.getString(2), rs.getLong(3))
                        : new Claim.Done(rs.getString(1)))
                .optional().orElse(new Claim.Done("UNKNOWN"));
    }

    /**
     * Lets go of a run. {@code trained}: training has ended for good (completed, failed or cancelled and
     * reported), so no trainer may take the run again, even if its request is delivered once more.
     */
    void release(UUID runId, boolean trained) {
        held.remove(runId);
        jdbc.sql("""
                update runs set lease_owner = null, lease_expires_at = null, trained = trained or ?
                where id = ? and lease_owner = ?""")
                .params(trained, runId, identity.name()).update();
    }

    @Scheduled(fixedDelayString = "${sparselab.trainer.heartbeat:3s}")
    void heartbeat() {
        try {
            jdbc.sql("""
                    insert into trainers (name, slots, device) values (?, ?, ?)
                    on conflict (name) do update set heartbeat_at = now(), slots = excluded.slots""")
                    .params(identity.name(), identity.slots(), identity.device()).update();
            for (UUID runId : held) {
                jdbc.sql("""
                        update runs set lease_expires_at = now() + ? * interval '1 millisecond'
                        where id = ? and lease_owner = ?""")
                        .params(props.leaseTtl().toMillis(), runId, identity.name()).update();
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat failed (will retry): {}", e.toString());
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
