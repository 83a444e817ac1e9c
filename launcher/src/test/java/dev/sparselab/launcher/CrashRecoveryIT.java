package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.artifact.ModelArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A trainer dies (SIGKILL) in the middle of a run: the run is resumed by the other trainer from its last
 * checkpoint, finishes, and ends with exactly the weights of the same run trained without interruption,
 * with one metric point per epoch.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT {
    static final Duration TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path dataDir;
    static LocalPlatform platform;
    static Api api;
    static JdbcClient db;

    @BeforeAll
    static void start() throws Exception {
        Required.that(Files.exists(PlatformIT.DATASETS.resolve("fashion-mnist")), "needs dataset-fashion-mnist");
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0, PlatformIT.DATASETS, 4, 2,
                List.of()));
        api = new Api(platform.baseUrl(), platform.adminToken());
        db = JdbcClient.create(platform.dataSource());
        awaitTrainers(2);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static void awaitTrainers(int n) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            long live = db.sql("select count(*) from trainers where heartbeat_at > now() - interval '10 seconds'")
                    .query(Long.class).single();
            if (live >= n) {
                return;
            }
            for (TrainerProcess t : platform.trainerProcesses()) {
                if (!t.isAlive()) {
                    throw new AssertionError(t.name() + " died:\n" + Files.readString(t.logFile()));
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("trainers did not register within 3 minutes");
    }

    /** Waits until the run has checkpoints of two epochs; the trainer process holding it then. */
    static TrainerProcess holderAfterTwoEpochs(String runId) throws InterruptedException {
        String owner = null;
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (owner == null && Instant.now().isBefore(deadline)) {
            owner = db.sql("""
                    select l.owner from run_leases l where l.run_id = ?::uuid and l.owner is not null
                      and exists (select 1 from checkpoints c where c.run_id = l.run_id and c.epochs_done >= 2)""")
                    .param(runId).query(String.class).optional().orElse(null);
            Thread.sleep(50);
        }
        assertThat(owner).as("a trainer checkpointed two epochs").isNotNull();
        String holder = owner;
        return platform.trainerProcesses().stream().filter(t -> t.name().equals(holder)).findFirst().orElseThrow();
    }

    static final String SPEC = """
            {"name": "crash recovery", %s "dataset": {"name": "fashion-mnist", "trainSubset": 12000, "testSubset": 2000},
             "model": {"type": "mlp", "hidden": [300, 100], "activation": "relu"},
             "training": {"epochs": 10, "batchSize": 128, "seed": 5, "checkpointEvery": 1,
                          "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}},
             "sparsity": {"method": "rigl", "target": 0.9, "deltaT": 20}}""";

    @Test
    @org.junit.jupiter.api.Order(2)
    void aKilledTrainersRunResumesElsewhereAndEndsBitForBitAsIfUninterrupted() throws Exception {
        String runId = api.submitRun(SPEC.formatted(""));
        // wait until the run has checkpoints of two epochs, then kill whichever trainer holds it
        TrainerProcess victim = holderAfterTwoEpochs(runId);
        String killed = victim.name();
        long stepAtKill = db.sql("select max(step) from run_metrics where run_id = ?::uuid and name = 'train.loss'")
                .param(runId).query(Long.class).single();
        Instant killedAt = Instant.now();
        victim.kill();
        assertThat(victim.isAlive()).isFalse();

        // the other trainer takes it over
        Instant resumedAt = null;
        while (resumedAt == null && Instant.now().isBefore(killedAt.plus(TIMEOUT))) {
            Integer attempt = db.sql("select attempt from run_leases where run_id = ?::uuid").param(runId)
                    .query(Integer.class).single();
            if (attempt >= 2) {
                resumedAt = Instant.now();
            }
            Thread.sleep(100);
        }
        assertThat(resumedAt).as("resumed").isNotNull();
        System.out.printf("trainer death to resume: %.1f s (run was at step %d)%n",
                Duration.between(killedAt, resumedAt).toMillis() / 1000.0, stepAtKill);

        JsonNode run = api.awaitRun(runId, TIMEOUT);
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        JsonNode scheduling = run.get("scheduling");
        assertThat(scheduling.get("attempt").asInt()).isEqualTo(2);
        assertThat(scheduling.get("resumedFromStep").asLong()).isPositive();
        assertThat(run.get("trainer").asString()).isNotEqualTo(killed);
        assertThat(db.sql("select count(*) from checkpoints where run_id = ?::uuid").param(runId).query(Long.class)
                .single()).as("checkpoints are dropped when the run ends").isZero();

        // the same run, uninterrupted (identical spec: forced past duplicate detection)
        String againId = api.submitRun(SPEC.formatted("\"force\": true,"));
        JsonNode again = api.awaitRun(againId, TIMEOUT);
        assertThat(again.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(again.get("scheduling").get("attempt").asInt()).isEqualTo(1);

        ModelArtifact resumed = artifact(run.get("artifactSha256").asString());
        ModelArtifact uninterrupted = artifact(again.get("artifactSha256").asString());
        resumed.tensors().forEach((name, t) -> assertThat(t.data()).as(name)
                .isEqualTo(uninterrupted.tensors().get(name).data()));
        assertThat(resumed.masks()).isEqualTo(uninterrupted.masks());
        assertThat(run.get("artifactSha256").asString()).isEqualTo(again.get("artifactSha256").asString());

        // one point per epoch, the same values as the uninterrupted run's
        List<Double> loss = series(runId, "train.loss");
        assertThat(loss).hasSize(10).isEqualTo(series(againId, "train.loss"));
        assertThat(series(runId, "train.accuracy")).isEqualTo(series(againId, "train.accuracy"));
        assertThat(db.sql("""
                select count(*) from (select name, step from run_metrics where run_id = ?::uuid
                group by name, step having count(*) > 1) d""").param(runId).query(Long.class).single()).isZero();
    }

    static final String PAUSED_SPEC = """
            {"name": "paused trainer", %s "dataset": {"name": "fashion-mnist", "trainSubset": 6000, "testSubset": 1000},
             "model": {"type": "mlp", "hidden": [300, 100], "activation": "relu"},
             "training": {"epochs": 8, "batchSize": 128, "seed": 9, "checkpointEvery": 1,
                          "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}},
             "sparsity": {"method": "rigl", "target": 0.9, "deltaT": 20}}""";

    /**
     * Fencing: a trainer is frozen (SIGSTOP) past its lease, the other trainer takes the run over, and the
     * frozen one is let go on (SIGCONT) while the new attempt trains. The old attempt writes nothing that
     * counts: exactly one RunCompleted is applied, one evaluation exists, of the artifact the run names, and
     * the weights equal those of the same run trained without interruption.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void aTrainerFrozenPastItsLeaseIsFencedOff() throws Exception {
        String runId = api.submitRun(PAUSED_SPEC.formatted(""));
        TrainerProcess victim = holderAfterTwoEpochs(runId);
        String frozen = victim.name();
        victim.suspend();
        try {
            // the other trainer takes the run over (attempt 2) and makes progress past the frozen one
            Instant deadline = Instant.now().plus(TIMEOUT);
            boolean takenOver = false;
            while (!takenOver && Instant.now().isBefore(deadline)) {
                takenOver = db.sql("""
                        select count(*) from run_leases l where l.run_id = ?::uuid and l.attempt >= 2 and l.owner <> ?
                          and exists (select 1 from checkpoints c where c.run_id = l.run_id and c.trainer = l.owner)""")
                        .params(runId, frozen).query(Long.class).single() > 0;
                Thread.sleep(50);
            }
            assertThat(takenOver).as("taken over by the other trainer").isTrue();
        } finally {
            victim.resume();
        }
        JsonNode run = api.awaitRun(runId, TIMEOUT);
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(victim.isAlive()).isTrue();
        // the frozen trainer, let go on, found out that it lost the run (heartbeat or fenced write)
        Instant noticed = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(noticed) && !Files.readString(victim.logFile()).contains("lost its lease")) {
            Thread.sleep(200);
        }
        assertThat(Files.readString(victim.logFile())).contains("attempt 1 lost its lease");
        assertThat(db.sql("select count(*) from run_history where run_id = ?::uuid and event = 'RunCompleted' and applied")
                .param(runId).query(Long.class).single()).as("RunCompleted applied").isOne();
        assertThat(db.sql("select count(*) from run_history where run_id = ?::uuid and event like 'status:%'")
                .param(runId).query(Long.class).single()).as("terminal transitions").isOne();
        assertThat(db.sql("select count(*) from evaluations where run_id = ?::uuid").param(runId).query(Long.class)
                .single()).isOne();
        String evaluated = db.sql("select artifact_sha256 from evaluations where run_id = ?::uuid").param(runId)
                .query(String.class).single();
        assertThat(run.get("artifactSha256").asString()).isEqualTo(evaluated);
        assertThat(db.sql("select completed_attempt from runs where id = ?::uuid").param(runId).query(Integer.class)
                .single()).isGreaterThanOrEqualTo(2);
        // the frozen trainer, let go on, left nothing behind: no checkpoints, and no lease it still holds
        Instant quiet = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(quiet) && db.sql("select count(*) from checkpoints where run_id = ?::uuid")
                .param(runId).query(Long.class).single() > 0) {
            Thread.sleep(200);
        }
        assertThat(db.sql("select count(*) from checkpoints where run_id = ?::uuid").param(runId).query(Long.class)
                .single()).isZero();

        String againId = api.submitRun(PAUSED_SPEC.formatted("\"force\": true,"));
        JsonNode again = api.awaitRun(againId, TIMEOUT);
        assertThat(again.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("artifactSha256").asString()).isEqualTo(again.get("artifactSha256").asString());
        assertThat(series(runId, "train.loss")).hasSize(8).isEqualTo(series(againId, "train.loss"));
    }

    static ModelArtifact artifact(String sha) {
        return ModelArtifact.fromBytes(db.sql("select content from artifacts where sha256 = ?").param(sha)
                .query((rs, i) -> rs.getBytes(1)).single());
    }

    static List<Double> series(String runId, String name) {
        JsonNode metrics = api.get("/api/v1/runs/" + runId + "/metrics?name=" + name).body();
        List<Double> values = new ArrayList<>();
        for (JsonNode s : metrics.get("series")) {
            if (s.get("name").asString().equals(name)) {
                long last = -1;
                for (JsonNode p : s.get("points")) {
                    assertThat(p.get("step").asLong()).isGreaterThan(last);
                    last = p.get("step").asLong();
                    values.add(p.get("value").asDouble());
                }
            }
        }
        return values;
    }
}
