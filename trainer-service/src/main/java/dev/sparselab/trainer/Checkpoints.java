package dev.sparselab.trainer;

import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.db.ArtifactStore;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Checkpoints of unfinished runs: stored as artifacts (kind {@code checkpoint}) and indexed by run and
 * step. The newest {@value #KEPT} of a run are kept while it trains; all go when it ends.
 */
@Component
class Checkpoints {
    static final int KEPT = 2;

    private final JdbcClient jdbc;
    private final ArtifactStore artifacts;

    Checkpoints(JdbcClient jdbc, ArtifactStore artifacts) {
        this.jdbc = jdbc;
        this.artifacts = artifacts;
    }

    Optional<Checkpoint> latest(UUID runId) {
        return jdbc.sql("select artifact_sha256 from checkpoints where run_id = ? order by step desc limit 1")
                .param(runId).query(String.class).optional()
                .map(sha -> Checkpoint.fromBytes(artifacts.get(sha).orElseThrow(() ->
                        new IllegalStateException("checkpoint artifact " + sha + " of run " + runId + " is missing"))));
    }

    void save(UUID runId, Checkpoint c, String trainer) {
        String sha = artifacts.put("checkpoint", c.toBytes());
        jdbc.sql("""
                insert into checkpoints (run_id, step, epochs_done, position, artifact_sha256, trainer)
                values (?, ?, ?, ?, ?, ?) on conflict (run_id, step) do nothing""")
                .params(runId, c.step(), c.epochsDone(), c.position(), sha, trainer).update();
        List<String> old = jdbc.sql("""
                delete from checkpoints where run_id = ? and step not in
                  (select step from checkpoints where run_id = ? order by step desc limit ?)
                returning artifact_sha256""").params(runId, runId, KEPT).query(String.class).list();
        dropUnreferenced(old);
    }

    void deleteAll(UUID runId) {
        dropUnreferenced(jdbc.sql("delete from checkpoints where run_id = ? returning artifact_sha256")
                .param(runId).query(String.class).list());
    }

    private void dropUnreferenced(List<String> shas) {
        for (String sha : shas) {
            jdbc.sql("""
                    delete from artifacts a where a.sha256 = ? and a.kind = 'checkpoint'
                      and not exists (select 1 from checkpoints c where c.artifact_sha256 = a.sha256)""")
                    .param(sha).update();
        }
    }
}
