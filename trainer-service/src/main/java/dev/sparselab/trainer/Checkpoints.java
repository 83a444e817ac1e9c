package dev.sparselab.trainer;

import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.db.ArtifactStore;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checkpoints of unfinished runs: stored as artifacts (kind {@code checkpoint}) and indexed by run and
 * step. The newest {@value #KEPT} of a run are kept while it trains; all go when it ends. Only the attempt
 * that holds the run's lease writes them: a checkpoint, its artifact and the pruning of older ones are one
 * transaction that commits only if the lease row still names this trainer and attempt (fencing).
 */
@Component
class Checkpoints {
    static final int KEPT = 2;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ArtifactStore artifacts;

    Checkpoints(JdbcClient jdbc, TransactionTemplate tx, ArtifactStore artifacts) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.artifacts = artifacts;
    }

    Optional<Checkpoint> latest(UUID runId) {
        return jdbc.sql("select artifact_sha256 from checkpoints where run_id = ? order by step desc limit 1")
                .param(runId).query(String.class).optional()
                .map(sha -> Checkpoint.fromBytes(artifacts.get(sha).orElseThrow(() ->
                        new IllegalStateException("checkpoint artifact " + sha + " of run " + runId + " is missing"))));
    }

    /** Saves a checkpoint of {@code attempt}; throws {@link Leases.LeaseLostException} (writing nothing) if it lost the run. */
    void save(UUID runId, int attempt, Checkpoint c, String trainer) {
        tx.executeWithoutResult(s -> {
            // lock the lease row: a takeover waits for this transaction, or this one sees the takeover
            boolean holds = jdbc.sql("""
                    select 1 from run_leases where run_id = ? and owner = ? and attempt = ?
                      and expires_at > now() for update""")
                    .params(runId, trainer, attempt).query(Integer.class).optional().isPresent();
            if (!holds) {
                throw new Leases.LeaseLostException(runId, attempt);
            }
            String sha = artifacts.put("checkpoint", c.toBytes());
            jdbc.sql("""
                    insert into checkpoints (run_id, step, epochs_done, position, artifact_sha256, trainer)
                    values (?, ?, ?, ?, ?, ?) on conflict (run_id, step) do nothing""")
                    .params(runId, c.step(), c.epochsDone(), c.position(), sha, trainer).update();
            List<String> old = jdbc.sql("""
                    delete from checkpoints where run_id = ? and step not in
                      (select step from checkpoints where run_id = ? order by step desc limit ?)
                    returning artifact_sha256""").params(runId, runId, KEPT).query(String.class).list();
            dropUnreferenced(jdbc, old);
        });
    }

    /** Deletes every checkpoint of the run; called by {@link Leases#release} inside its fenced transaction. */
    static void deleteAll(JdbcClient jdbc, UUID runId) {
        dropUnreferenced(jdbc, jdbc.sql("delete from checkpoints where run_id = ? returning artifact_sha256")
                .param(runId).query(String.class).list());
    }

    private static void dropUnreferenced(JdbcClient jdbc, List<String> shas) {
        for (String sha : shas) {
            jdbc.sql("""
                    delete from artifacts a where a.sha256 = ? and a.kind = 'checkpoint'
                      and not exists (select 1 from checkpoints c where c.artifact_sha256 = a.sha256)""")
                    .param(sha).update();
        }
    }
}
