package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The whole platform end to end, as `sparselab up` runs it: embedded PostgreSQL, the KRaft broker and
 * all four services; specs go in through the gateway and results come back out of it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformIT {
    static final Path DATASETS = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path dataDir;
    static LocalPlatform platform;
    static Api api;
    static JdbcClient db;
    static String gridExperiment;
    static String riglExperiment;

    @BeforeAll
    static void start() throws Exception {
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0, DATASETS, 4));
        api = new Api(platform.baseUrl(), platform.adminToken());
        db = JdbcClient.create(platform.dataSource());
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static String spec(String name, String dataset, String hidden, int epochs, double lr, String sparsity) {
        return """
                {"name": "%s", "dataset": {"name": "%s"},
                 "model": {"type": "mlp", "hidden": %s, "activation": "relu"},
                 "training": {"epochs": %d, "batchSize": 128,
                              "optimizer": {"type": "sgd", "learningRate": %s, "momentum": 0.9}, "seed": 42},
                 "sparsity": %s}""".formatted(name, dataset, hidden, epochs, lr, sparsity);
    }

    static long count(String table) {
        return db.sql("select count(*) from " + table).query(Long.class).single();
    }

    @Test
    @Order(1)
    void aSyntheticRunGoesFromSpecToStoredEvaluation() throws Exception {
        String runId = api.submitRun(spec("synthetic random 50%", "synthetic", "[64, 32]", 2, 0.05,
                "{\"method\": \"random\", \"target\": 0.5}"));
        JsonNode run = api.awaitRun(runId, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        JsonNode eval = run.get("evaluation");
        assertThat(eval.get("testAccuracy").asDouble()).isGreaterThan(0.9);
        assertThat(eval.get("sparsity").asDouble()).isCloseTo(0.5, within(0.001));
        assertThat(eval.get("layers")).hasSize(3);
        JsonNode fc1 = eval.get("layers").get(0);
        assertThat(fc1.get("name").asString()).isEqualTo("fc1");
        assertThat(fc1.get("shape").get(0).asInt()).isEqualTo(64);
        assertThat(fc1.get("shape").get(1).asInt()).isEqualTo(32);
        assertThat(fc1.get("parameters").asLong()).isEqualTo(64 * 32);
        assertThat(fc1.get("nonZero").asLong()).isEqualTo(64 * 32 / 2);
        assertThat(fc1.get("sparsified").asBoolean()).isTrue();
        // no layer kept dense: the all-weights count is the sparsified layers' count, stored and served
        assertThat(eval.get("allWeights").get("parameters").asLong()).isEqualTo(eval.get("parameters").asLong());
        assertThat(eval.get("allWeights").get("sparsity").asDouble()).isEqualTo(eval.get("sparsity").asDouble());
        assertThat(run.get("epochs")).hasSize(2);
        assertThat(run.get("provenance").get("seed").asLong()).isEqualTo(42);
        // 2 * (32*64 + 64*32 + 32*10) FLOPs dense per example, half of the weights left
        assertThat(eval.get("cost").get("denseFlops").asLong()).isEqualTo(8832);
        assertThat(eval.get("cost").get("sparseFlops").asLong()).isEqualTo(4416);
        assertThat(eval.get("cost").get("layers")).hasSize(3);
        // a static 50% mask trains at half the dense cost
        assertThat(eval.get("cost").get("trainingFlopsRatio").asDouble()).isCloseTo(0.5, within(1e-9));
        assertThat(eval.get("latency")).hasSize(2);
        assertThat(eval.get("provenance").get("testDataset").asString()).isEqualTo("synthetic/test");
        assertThat(eval.get("top5Accuracy").isNull()).isTrue();
        assertThat(eval.get("latency").get(1).get("batch").asInt()).isEqualTo(256);
        assertThat(eval.get("latency").get(1).get("denseMs").asDouble()).isPositive();

        // the identical spec again (another name, a priority): the existing run comes back and nothing is queued
        long runsBefore = count("runs");
        Api.Response dup = api.post("/api/v1/experiments", "application/json", spec("same again", "synthetic",
                "[64, 32]", 2, 0.05, "{\"method\": \"random\", \"target\": 0.5}").replaceFirst("\\{\"name\"",
                "{\"priority\": \"high\", \"name\""));
        assertThat(dup.status()).isEqualTo(200);
        assertThat(dup.body().get("duplicateOf").asString()).isEqualTo(run.get("experimentId").asString());
        assertThat(dup.body().get("runs").get(0).get("id").asString()).isEqualTo(runId);
        assertThat(dup.body().get("runs").get(0).get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(count("runs")).isEqualTo(runsBefore);

        JsonNode metrics = api.get("/api/v1/runs/" + runId + "/metrics?name=train.loss").body();
        assertThat(metrics.get("series")).hasSize(1);
        // every point as CSV, and the run in the run list with its progress
        Api.Text csv = api.getText("/api/v1/runs/" + runId + "/metrics", "text/csv");
        assertThat(csv.body()).startsWith("name,step,epoch,value\n").contains("\ntrain.loss,");
        assertThat(csv.body().lines().filter(l -> l.startsWith("train.loss,")).count()).isEqualTo(2);
        JsonNode listed = api.get("/api/v1/runs?experiment=" + run.get("experimentId").asString()).body();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("epoch").asInt()).isEqualTo(2);
        assertThat(listed.get(0).get("totalEpochs").asInt()).isEqualTo(2);
        assertThat(listed.get(0).get("method").asString()).isEqualTo("random");
        assertThat(api.get("/api/v1/runs?status=DONE").status()).isEqualTo(400);
        assertThat(metrics.get("series").get(0).get("points")).hasSize(2);

        // the evaluation was stored before the run was reported SUCCEEDED, and the outbox is drained
        assertThat(db.sql("select count(*) from evaluations where run_id = ?::uuid").param(runId)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(db.sql("select count(*) from outbox where published_at is null").query(Long.class).single())
                .isZero();
        JsonNode experiment = api.get("/api/v1/experiments/" + run.get("experimentId").asString()).body();
        assertThat(experiment.get("runs").get(0).get("evaluation").get("testAccuracy").asDouble())
                .isEqualTo(eval.get("testAccuracy").asDouble());
    }

    /** Issue 18: a spec that chooses the sparse engine trains, is evaluated and says which engine computed it. */
    @Test
    @Order(1)
    void aSparseEngineRunTrainsAndIsEvaluatedThroughThePlatform() throws Exception {
        String spec = spec("sparse engine set", "synthetic", "[64, 32]", 2, 0.05,
                "{\"method\": \"set\", \"target\": 0.5}").replace("\"seed\": 42}", "\"seed\": 42, \"engine\": \"sparse\"}");
        assertThat(spec).contains("\"engine\": \"sparse\"");
        String runId = api.submitRun(spec);
        JsonNode run = api.awaitRun(runId, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("spec").get("training").get("engine").asString()).isEqualTo("sparse");
        assertThat(run.get("provenance").get("engine").asString()).isEqualTo("SparseLab sparse engine");
        JsonNode eval = run.get("evaluation");
        // the masked-dense engine trains this spec to the same 0.99 (the engines are exact to float rounding)
        assertThat(eval.get("testAccuracy").asDouble()).isGreaterThan(0.9);
        // ER spreads the 50% over the layers; the evaluator counts exactly what the engine kept
        assertThat(eval.get("sparsity").asDouble()).isCloseTo(0.5, within(0.001));
        assertThat(eval.get("latency")).hasSize(2);
        JsonNode grown = api.get("/api/v1/runs/" + runId + "/metrics?name=mask.fc1.grown").body().get("series").get(0);
        // the initial mask (step 0) and SET's one evolution after epoch 1 of 2
        assertThat(grown.get("points")).hasSize(2);
        assertThat(grown.get("points").get(1).get("value").asDouble()).isPositive();
    }

    @Test
    @Order(2)
    void aRigLRunReportsItsMaskDynamicsAsSeries() throws Exception {
        JsonNode catalog = api.get("/api/v1/catalog").body();
        List<String> methods = new ArrayList<>();
        catalog.get("methods").forEach(m -> methods.add(m.get("name").asString()));
        assertThat(methods).contains("rigl", "set", "gmp", "magnitude", "random", "dense");

        String runId = api.submitRun(spec("synthetic rigl", "synthetic", "[64, 32]", 2, 0.05,
                "{\"method\": \"rigl\", \"target\": 0.8, \"deltaT\": 20}"));
        JsonNode run = api.awaitRun(runId, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        riglExperiment = run.get("experimentId").asString();
        assertThat(run.get("spec").get("sparsity").get("distribution").asString()).isEqualTo("erk");
        JsonNode iou = api.get("/api/v1/runs/" + runId + "/metrics?name=mask.fc1.iou").body().get("series").get(0);
        // the initial mask (step 0) and one update every 20 steps before 75% of 2 x 32 steps: 20 and 40
        assertThat(iou.get("points")).hasSize(3);
        assertThat(iou.get("points").get(1).get("step").asLong()).isEqualTo(20);
        assertThat(iou.get("points").get(2).get("step").asLong()).isEqualTo(40);
        for (int i = 1; i < 3; i++) {
            assertThat(iou.get("points").get(i).get("value").asDouble()).isBetween(0.5, 1.0);
        }
    }

    @Test
    @Order(2)
    void aDivergingRunFailsWithAReasonAndThePlatformKeepsServing() throws Exception {
        String runId = api.submitRun(spec("diverges", "synthetic", "[16]", 1, 1e12, "{\"method\": \"dense\"}"));
        JsonNode run = api.awaitRun(runId, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).isEqualTo("FAILED");
        assertThat(run.get("reason").asString()).contains("diverged").contains("learning rate");
        assertThat(run.get("evaluation").isNull()).isTrue();

        String next = api.submitRun(spec("after failure", "synthetic", "[16]", 1, 0.05, "{\"method\": \"dense\"}"));
        assertThat(api.awaitRun(next, RUN_TIMEOUT).get("status").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(2)
    void runningAndQueuedRunsAreCancelledWithinSeconds() throws Exception {
        // minutes of training each if nothing stopped them
        String longSpec = spec("long", "synthetic", "[256, 256]", 1000, 0.05, "{\"method\": \"dense\"}");
        String a = api.submitRun(longSpec);
        // the same spec again is a duplicate: force it, to have a second run queued behind the first
        String b = api.submitRun(longSpec.replace("{\"name\": \"long\"", "{\"name\": \"long\", \"force\": true"));
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        String running = null;
        while (running == null) {
            assertThat(java.time.Instant.now()).isBefore(deadline);
            if ("RUNNING".equals(api.get("/api/v1/runs/" + a).body().get("status").asString())) {
                running = a;
            } else if ("RUNNING".equals(api.get("/api/v1/runs/" + b).body().get("status").asString())) {
                running = b;
            }
            Thread.sleep(100);
        }
        String queued = running.equals(a) ? b : a;
        Api.Response cancelQueued = api.post("/api/v1/runs/" + queued + "/cancel");
        assertThat(cancelQueued.status()).isEqualTo(200);
        assertThat(cancelQueued.body().get("status").asString()).isEqualTo("CANCELLED");
        assertThat(cancelQueued.body().get("cancelledBy").asString()).isEqualTo("admin");
        assertThat(cancelQueued.body().get("cancelledAt").isNull()).isFalse();
        java.time.Instant asked = java.time.Instant.now();
        assertThat(api.post("/api/v1/runs/" + running + "/cancel").status()).isEqualTo(200);
        // the trainer stops the running one at its next step, skips the cancelled queued one, and takes the
        // next run: a quick one finishes long before the minutes the long ones would have taken
        String next = api.submitRun(spec("after cancel", "synthetic", "[18]", 1, 0.05, "{\"method\": \"dense\"}"));
        JsonNode nextRun = api.awaitRun(next, Duration.ofSeconds(60));
        assertThat(nextRun.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(Duration.between(asked, java.time.Instant.now())).isLessThan(Duration.ofSeconds(30));
        JsonNode cancelled = api.get("/api/v1/runs/" + running).body();
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("evaluation").isNull()).isTrue();
        assertThat(cancelled.get("epochs").size()).isLessThan(500);
        assertThat(api.get("/api/v1/runs/" + queued).body().get("startedAt").isNull()).isTrue();
        assertThat(api.post("/api/v1/runs/" + running + "/cancel").status()).isEqualTo(409);
        assertThat(api.post("/api/v1/runs/00000000-0000-0000-0000-000000000000/cancel").status())
                .isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @Order(3)
    @CsvSource(delimiter = '|', textBlock = """
            unknown method       | application/json | {"name":"x","dataset":{"name":"synthetic"},"model":{"type":"mlp"},"training":{"epochs":1},"sparsity":{"method":"voodoo"}} | /sparsity/method
            sparsity of 1        | application/json | {"name":"x","dataset":{"name":"synthetic"},"model":{"type":"mlp"},"training":{"epochs":1},"sparsity":{"method":"random","target":1.0}} | /sparsity/target
            negative sparsity    | application/json | {"name":"x","dataset":{"name":"synthetic"},"model":{"type":"mlp"},"training":{"epochs":1},"sparsity":{"method":"random","target":-0.1}} | /sparsity/target
            negative epochs      | application/json | {"name":"x","dataset":{"name":"synthetic"},"model":{"type":"mlp"},"training":{"epochs":-2}} | /training/epochs
            unknown dataset      | application/json | {"name":"x","dataset":{"name":"imagenet"},"model":{"type":"mlp"},"training":{"epochs":1}} | /dataset/name
            malformed JSON       | application/json | {"name": "x", "dataset": | ''
            malformed YAML       | application/yaml | 'name: [x\\n  dataset: {' | ''
            """)
    void anInvalidSpecIsRejectedWithAPointerAndNothingIsStored(String label, String type, String body,
                                                              String pointer) {
        long experiments = count("experiments");
        long runs = count("runs");
        long outbox = count("outbox");
        Api.Response r = api.post("/api/v1/experiments", type, body.replace("\\n", "\n"));
        assertThat(r.status()).as(label).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        List<String> pointers = new ArrayList<>();
        r.body().get("errors").forEach(e -> pointers.add(e.get("pointer").asString()));
        assertThat(pointers).as(label + ": " + r.body()).contains(pointer);
        r.body().get("errors").forEach(e -> assertThat(e.get("detail").asString()).isNotBlank());
        assertThat(count("experiments")).isEqualTo(experiments);
        assertThat(count("runs")).isEqualTo(runs);
        assertThat(count("outbox")).isEqualTo(outbox);
    }

    @Test
    @Order(4)
    void everyBadFieldIsListedAtOnce() {
        Api.Response r = api.post("/api/v1/experiments", "application/json", """
                {"name":"x","dataset":{"name":"imagenet"},"model":{"type":"mlp"},
                 "training":{"epochs":-1},"sparsity":{"method":"voodoo","target":1.5}}""");
        assertThat(r.status()).isEqualTo(400);
        List<String> pointers = new ArrayList<>();
        r.body().get("errors").forEach(e -> pointers.add(e.get("pointer").asString()));
        assertThat(pointers).containsExactlyInAnyOrder("/dataset/name", "/training/epochs", "/sparsity/method",
                "/sparsity/target");
        assertThat(api.get("/api/v1/runs/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void yamlSpecsWithAGridAndSeedsExpandAndGroup() throws Exception {
        Api.Response r = api.post("/api/v1/experiments", "application/yaml", """
                name: yaml spec
                dataset: {name: synthetic}
                model: {type: mlp, hidden: [16]}
                training: {epochs: 1, seed: 3}
                sparsity: {method: random, target: 0.5}
                sweep:
                  grid: {sparsity.target: [0.5, 0.75]}
                  seeds: [3, 4]
                """);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().get("runs")).hasSize(4);
        gridExperiment = r.body().get("id").asString();
        JsonNode experiment = api.get("/api/v1/experiments/" + r.body().get("id").asString()).body();
        assertThat(experiment.get("groups")).hasSize(2);
        assertThat(experiment.get("groups").get(1).get("gridPoint").get("sparsity.target").asDouble()).isEqualTo(0.75);
        assertThat(experiment.get("groups").get(1).get("runs")).hasSize(2);
        assertThat(experiment.get("runs").get(2).get("seed").asLong()).isEqualTo(3);
        for (JsonNode run : r.body().get("runs")) {
            assertThat(api.awaitRun(run.get("id").asString(), RUN_TIMEOUT).get("status").asString())
                    .isEqualTo("SUCCEEDED");
        }
    }

    @Test
    @Order(6)
    void compareAggregatesSeedsPerGridPointAndFindsTheParetoFront() {
        JsonNode c = api.get("/api/v1/compare?experiment=" + gridExperiment + "&experiment=" + riglExperiment).body();
        JsonNode rows = c.get("rows");
        assertThat(rows).hasSize(3);
        JsonNode grid = api.get("/api/v1/experiments/" + gridExperiment).body();
        for (int g = 0; g < 2; g++) {
            JsonNode row = rows.get(g);
            JsonNode group = grid.get("groups").get(g);
            assertThat(row.get("gridPoint")).isEqualTo(group.get("gridPoint"));
            List<Double> acc = new ArrayList<>();
            for (JsonNode id : group.get("runs")) {
                acc.add(api.get("/api/v1/runs/" + id.asString()).body().get("evaluation").get("testAccuracy")
                        .asDouble());
            }
            double mean = (acc.get(0) + acc.get(1)) / 2;
            double std = Math.abs(acc.get(0) - acc.get(1)) / Math.sqrt(2);
            JsonNode stats = row.get("metrics").get("testAccuracy");
            assertThat(stats.get("n").asInt()).isEqualTo(2);
            assertThat(stats.get("mean").asDouble()).isCloseTo(mean, within(1e-12));
            assertThat(stats.get("std").asDouble()).isCloseTo(std, within(1e-12));
            assertThat(stats.get("ci95").get(1).asDouble()).isCloseTo(mean + 12.706 * std / Math.sqrt(2),
                    within(1e-9));
            assertThat(row.get("metrics").get("sparsity").get("mean").asDouble())
                    .isCloseTo(group.get("gridPoint").get("sparsity.target").asDouble(), within(0.01));
        }
        // the front: no row on it is dominated by another row (accuracy up, sparse FLOPs down)
        List<Integer> front = new ArrayList<>();
        c.get("pareto").get("accuracyVsFlops").forEach(i -> front.add(i.asInt()));
        assertThat(front).isNotEmpty();
        assertThat(c.get("pareto").get("accuracyVsLatency")).isNotEmpty();
        assertThat(rows.get(0).get("metrics").get("speedupBatch256").get("n").asInt()).isEqualTo(2);
        for (int i = 0; i < rows.size(); i++) {
            double ai = rows.get(i).get("metrics").get("testAccuracy").get("mean").asDouble();
            double fi = rows.get(i).get("metrics").get("sparseFlops").get("mean").asDouble();
            boolean dominated = false;
            for (int j = 0; j < rows.size(); j++) {
                double aj = rows.get(j).get("metrics").get("testAccuracy").get("mean").asDouble();
                double fj = rows.get(j).get("metrics").get("sparseFlops").get("mean").asDouble();
                dominated |= j != i && aj >= ai && fj <= fi && (aj > ai || fj < fi);
            }
            assertThat(front.contains(i)).as("row %d", i).isEqualTo(!dominated);
        }
        Api.Text csv = api.getText("/api/v1/compare?experiment=" + gridExperiment, "text/csv");
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] lines = csv.body().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("experiment_id,experiment_name,grid_point,runs,succeeded,failed,"
                + "testAccuracy_mean,testAccuracy_std");
        assertThat(lines[1]).contains("sparsity.target=0.5");
        assertThat(api.get("/api/v1/compare").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/compare?experiment=00000000-0000-0000-0000-000000000000").status())
                .isEqualTo(404);
        JsonNode series = api.get("/api/v1/runs/" + grid.get("runs").get(0).get("id").asString()
                + "/metrics?maxPoints=3").body();
        series.get("series").forEach(sr -> assertThat(sr.get("points").size()).isLessThanOrEqualTo(3));
        assertThat(api.get("/api/v1/runs/" + grid.get("runs").get(0).get("id").asString() + "/metrics?maxPoints=2")
                .status()).isEqualTo(400);
    }

    @Test
    @Order(7)
    void lenet300OnFashionMnistReachesThePaperLikeAccuracy() throws Exception {
        Required.that(Files.isDirectory(DATASETS.resolve("fashion-mnist")),
                "dataset-fashion-mnist is not installed (CI installs it)");
        String dense = api.submitRun(spec("lenet-300-100 dense", "fashion-mnist", "[300, 100]", 2, 0.05,
                "{\"method\": \"dense\"}"));
        String pruned = api.submitRun(spec("lenet-300-100 magnitude 90%", "fashion-mnist", "[300, 100]", 2, 0.05,
                "{\"method\": \"magnitude\", \"target\": 0.9}"));
        JsonNode denseRun = api.awaitRun(dense, RUN_TIMEOUT);
        JsonNode prunedRun = api.awaitRun(pruned, RUN_TIMEOUT);
        assertThat(denseRun.get("status").asString()).as("%s", denseRun).isEqualTo("SUCCEEDED");
        assertThat(prunedRun.get("status").asString()).as("%s", prunedRun).isEqualTo("SUCCEEDED");

        JsonNode d = denseRun.get("evaluation");
        assertThat(d.get("examples").asInt()).isEqualTo(10_000);
        assertThat(d.get("testAccuracy").asDouble()).isGreaterThanOrEqualTo(0.84);

        JsonNode p = prunedRun.get("evaluation");
        assertThat(p.get("sparsity").asDouble()).isCloseTo(0.90, within(0.001));
        assertThat(p.get("testAccuracy").asDouble()).isGreaterThanOrEqualTo(0.80);
        for (JsonNode layer : p.get("layers")) {
            assertThat(layer.get("sparsity").asDouble()).as(layer.toString()).isCloseTo(0.90, within(0.001));
        }
        // 2 training epochs and 1 fine-tuning epoch, each reported once
        assertThat(prunedRun.get("epochs")).hasSize(3);
        assertThat(db.sql("select count(*) from run_metrics where run_id = ?::uuid and name = 'train.loss'")
                .param(pruned).query(Long.class).single()).isEqualTo(3);
        System.out.printf("Fashion-MNIST LeNet-300-100: dense accuracy %.4f, magnitude 90%% accuracy %.4f"
                        + " (sparsity %.4f), training %.0f samples/s%n", d.get("testAccuracy").asDouble(),
                p.get("testAccuracy").asDouble(), p.get("sparsity").asDouble(),
                denseRun.get("provenance").get("samplesPerSecond").asDouble());
    }

    @Test
    @Order(7)
    void aMixtureOfExpertsTransformerAndAMemoryMlpRunThroughThePlatform() throws Exception {
        String moe = api.submitRun("""
                {"name": "moe transformer on associative recall",
                 "dataset": {"name": "associative-recall", "pairs": 24, "trainSubset": 600, "testSubset": 100},
                 "model": {"type": "transformer", "depth": 1, "width": 32, "heads": 2, "context": 24,
                   "ffn": {"kind": "moe", "experts": 4, "k": 2, "hidden": 32, "capacityFactor": 1.5},
                   "attention": {"pattern": "window", "window": 6}},
                 "training": {"epochs": 6, "batchSize": 16, "seed": 1,
                   "optimizer": {"type": "adam", "learningRate": 0.01}}}""");
        String peer = api.submitRun("""
                {"name": "peer mlp", "dataset": {"name": "synthetic"},
                 "model": {"type": "mlp", "hidden": [32], "ffn": {"kind": "peer", "heads": 2, "keys": 8, "k": 4}},
                 "training": {"epochs": 2, "batchSize": 64, "optimizer": {"type": "adam"}}}""");
        JsonNode run = api.awaitRun(moe, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).as("%s", run).isEqualTo("SUCCEEDED");
        JsonNode e = run.get("evaluation");
        assertThat(e.get("testAccuracy").asDouble()).isGreaterThan(0.9); // recall of 24 pairs, chance 1/32
        JsonNode c = e.get("conditional");
        assertThat(c.get("task").asString()).isEqualTo("associative-recall");
        assertThat(c.get("activeParameters").asLong()).isLessThan(c.get("totalParameters").asLong());
        assertThat(c.get("blocks").get(0).get("load")).hasSize(4);
        // window 6 of 24 positions: 1+..+5 + 19*6 = 129 of 300 causal pairs
        assertThat(c.get("attentionDensity").asDouble()).isCloseTo(129.0 / 300, within(1e-12));
        assertThat(e.get("cost").get("sparseFlops").asLong()).isLessThan(e.get("cost").get("denseFlops").asLong());
        JsonNode load = api.get("/api/v1/runs/" + moe + "/metrics?name=ffn.block1.load.0").body();
        assertThat(load.get("series").get(0).get("points")).hasSize(6); // per epoch
        assertThat(api.get("/api/v1/runs/" + moe + "/metrics?name=ffn.block1.aux_loss").body().get("series"))
                .hasSize(1);

        JsonNode mlp = api.awaitRun(peer, RUN_TIMEOUT);
        assertThat(mlp.get("status").asString()).as("%s", mlp).isEqualTo("SUCCEEDED");
        assertThat(mlp.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.8);
        assertThat(mlp.get("evaluation").get("conditional").get("task").asString()).isEqualTo("classification");
    }

    /**
     * Issue 21: a trained model leaves the platform. Its safetensors file (PyTorch state-dict names, masks applied
     * with torch.nn.utils.prune) and its compressed-rows file (torch.sparse_csr_tensor), loaded by Debian's PyTorch
     * with a reader of the raw format, give the evaluator's logits on test examples; the stored bytes are the
     * artifact the run names; the model card carries spec, provenance and evaluation; tags, champion moving.
     */
    @Test
    @Order(7)
    void aTrainedModelLeavesThePlatformAndPyTorchReproducesItsLogits() throws Exception {
        String spec = spec("export set 80%", "synthetic", "[48, 24]", 2, 0.05,
                "{\"method\": \"set\", \"target\": 0.8}");
        String runId = api.submitRun(spec);
        JsonNode run = api.awaitRun(runId, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).as("%s", run).isEqualTo("SUCCEEDED");
        String sha = run.get("artifactSha256").asString();

        Api.Bytes stored = api.getBytes("/api/v1/runs/" + runId + "/model?format=sparselab");
        assertThat(stored.status()).isEqualTo(200);
        assertThat(dev.sparselab.contracts.artifact.ModelArtifact.sha256(stored.body())).isEqualTo(sha);
        assertThat(stored.headers().firstValue("X-SparseLab-Artifact")).hasValue(sha);
        dev.sparselab.contracts.artifact.ModelArtifact artifact =
                dev.sparselab.contracts.artifact.ModelArtifact.fromBytes(stored.body());
        dev.sparselab.core.data.Dataset test = (dev.sparselab.core.data.Dataset)
                new dev.sparselab.core.data.DatasetCache(DATASETS, null).forSpec(artifact.spec(), false);
        int count = 64;
        float[] expected = new dev.sparselab.core.eval.ModelEvaluator().logits(artifact, test, count);
        Path inputs = dataDir.resolve("inputs.f32");
        java.nio.ByteBuffer x = java.nio.ByteBuffer.allocate(4 * count * test.featureDim())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count * test.featureDim(); i++) {
            x.putFloat(test.features()[i]);
        }
        Files.write(inputs, x.array());
        for (String format : List.of("safetensors", "safetensors-csr")) {
            Api.Bytes file = api.getBytes("/api/v1/runs/" + runId + "/model?format=" + format);
            assertThat(file.status()).as(format).isEqualTo(200);
            assertThat(file.headers().firstValue("X-SparseLab-Artifact")).hasValue(sha);
            Path model = dataDir.resolve("model-" + format);
            Files.write(model, file.body());
            Path out = dataDir.resolve("logits-" + format);
            Process python = new ProcessBuilder("/usr/bin/python3",
                    Path.of("src/test/resources/export_logits.py").toAbsolutePath().toString(), model.toString(),
                    inputs.toString(), Integer.toString(count), Integer.toString(test.featureDim()), out.toString())
                    .redirectErrorStream(true).start();
            String printed = new String(python.getInputStream().readAllBytes());
            assertThat(python.waitFor()).as(printed).isZero();
            assertThat(printed).contains("layers 3").contains(format.endsWith("csr") ? "layout csr" : "layout dense");
            java.nio.FloatBuffer got = java.nio.ByteBuffer.wrap(Files.readAllBytes(out))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            assertThat(got.remaining()).isEqualTo(expected.length);
            float worst = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(got.get(i) - expected[i]));
            }
            assertThat(worst).as(format + ": largest logit difference to the evaluator's").isLessThan(1e-4f);
        }
        assertThat(api.get("/api/v1/runs/" + runId + "/model?format=onnx").status()).isEqualTo(400);

        JsonNode card = api.get("/api/v1/runs/" + runId + "/model/card").body();
        assertThat(card.at("/artifact/sha256").asString()).isEqualTo(sha);
        assertThat(card.at("/evaluation/test_accuracy").asDouble())
                .isEqualTo(run.get("evaluation").get("testAccuracy").asDouble());
        assertThat(card.at("/spec/sparsity/method").asString()).isEqualTo("set");
        assertThat(card.at("/provenance/seed").asLong()).isEqualTo(42);

        // tags: free-form, and one champion per experiment
        String other = api.submitRun(spec.replace("export set 80%", "export set 80% again")
                .replace("\"seed\": 42", "\"seed\": 43"));
        assertThat(api.awaitRun(other, RUN_TIMEOUT).get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(api.put("/api/v1/runs/" + runId + "/tags/champion", "").status()).isEqualTo(200);
        assertThat(api.put("/api/v1/runs/" + runId + "/tags/paper-fig3", "").body().toString())
                .isEqualTo("[\"champion\",\"paper-fig3\"]");
        assertThat(api.put("/api/v1/runs/" + runId + "/tags/Not%20A%20Tag", "").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/runs/" + runId + "/model/card").body().get("tags").toString())
                .isEqualTo("[\"champion\",\"paper-fig3\"]");
        assertThat(api.delete("/api/v1/runs/" + runId + "/tags/paper-fig3").status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/runs/" + runId + "/tags/paper-fig3").status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void aLenet5RunSparsifiesConvKernelsThroughThePlatform() throws Exception {
        Required.that(Files.isDirectory(DATASETS.resolve("fashion-mnist")),
                "dataset-fashion-mnist is not installed (CI installs it)");
        String runId = api.submitRun("""
                {"name": "lenet5 magnitude 50%", "dataset": {"name": "fashion-mnist", "trainSubset": 1000, "testSubset": 500},
                 "model": {"type": "lenet5"}, "training": {"epochs": 1, "batchSize": 64},
                 "sparsity": {"method": "magnitude", "target": 0.5}}""");
        JsonNode run = api.awaitRun(runId, RUN_TIMEOUT);
        assertThat(run.get("status").asString()).as("%s", run).isEqualTo("SUCCEEDED");
        JsonNode e = run.get("evaluation");
        assertThat(e.get("examples").asInt()).isEqualTo(500);
        assertThat(e.get("layers")).hasSize(5);
        assertThat(e.get("layers").get(0).get("name").asString()).isEqualTo("conv1");
        assertThat(e.get("layers").get(0).get("sparsity").asDouble()).isCloseTo(0.5, within(0.01));
        assertThat(e.get("cost").get("denseFlops").asLong()).isEqualTo(833_040);
        assertThat(e.get("latency")).hasSize(2);
        assertThat(e.get("latency").get(0).get("layers")).hasSize(5);
        assertThat(e.get("latency").get(1).get("layers").get(0).get("denseMs").asDouble()).isPositive();
    }

    @Test
    @Order(7)
    void poisonMessagesAreDeadLetteredAndConsumersGoOn() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", platform.kafkaBootstrapServers());
        p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("sparselab.run.events", "poison-1",
                    "{\"type\": \"RunStarted\", \"runId\": \"not-a-uuid\"")).get();
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("sparselab.run.requested",
                    "poison-2", "this is not JSON")).get();
        }
        // every consumer group that reads the topic gives up after bounded retries and dead-letters it
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (seen.size() < 3 && java.time.Instant.now().isBefore(deadline)) {
            seen.clear();
            for (JsonNode d : api.get("/api/v1/admin/dead-letters").body()) {
                seen.add(d.get("topic").asString() + " " + d.get("consumerGroup").asString());
                if (d.get("key").asString().startsWith("poison")) {
                    assertThat(d.get("error").asString()).isNotBlank();
                }
            }
            Thread.sleep(250);
        }
        assertThat(seen).containsExactlyInAnyOrder("sparselab.run.events experiment-service",
                "sparselab.run.events evaluators", "sparselab.run.requested trainers");
        // and they went on: a run submitted now goes through trainer, evaluator and experiment-service
        String runId = api.submitRun(spec("after poison", "synthetic", "[22]", 1, 0.05, "{\"method\": \"dense\"}"));
        assertThat(api.awaitRun(runId, RUN_TIMEOUT).get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/v1/admin/dead-letters?limit=0").status()).isEqualTo(400);
    }

    @Test
    @Order(7)
    void ashaStopsUnpromisingRunsOfASweepWhichStillEndEvaluated() throws Exception {
        // one good learning rate, two hopeless ones; rungs at epochs 1, 3, 9, 27 (reduction factor 3)
        Api.Response r = api.post("/api/v1/experiments", "application/json", """
                {"name": "asha sweep", "dataset": {"name": "synthetic"},
                 "model": {"type": "mlp", "hidden": [64, 32], "activation": "relu"},
                 "training": {"epochs": 40, "batchSize": 128, "seed": 3,
                              "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}},
                 "sweep": {"grid": {"training.optimizer.learningRate": [0.05, 0.00002, 0.00001]},
                           "earlyStopping": {"type": "asha", "metric": "train.accuracy", "mode": "max",
                                             "reductionFactor": 3, "minEpochs": 1}}}""");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
        List<String> ids = new ArrayList<>();
        r.body().get("runs").forEach(run -> ids.add(run.get("id").asString()));
        List<JsonNode> runs = new ArrayList<>();
        for (String id : ids) {
            runs.add(api.awaitRun(id, RUN_TIMEOUT));
        }
        for (JsonNode run : runs) {
            assertThat(run.get("status").asString()).as("%s", run).isEqualTo("SUCCEEDED");
            assertThat(run.get("evaluation").isNull()).as("stopped runs are still evaluated").isFalse();
        }
        assertThat(runs.get(0).get("scheduling").get("stoppedEarly").asBoolean()).isFalse();
        assertThat(runs.get(0).get("epochs")).hasSize(40);
        for (JsonNode bad : runs.subList(1, 3)) {
            assertThat(bad.get("scheduling").get("stoppedEarly").asBoolean()).as("%s", bad.get("spec")).isTrue();
            assertThat(bad.get("epochs").size()).as("epochs trained before stopping").isBetween(1, 39);
        }
        assertThat(db.sql("select count(*) from asha_rungs where promoted").query(Long.class).single())
                .isGreaterThanOrEqualTo(4); // the good run at rungs 0..3
    }

    static final String SEARCH = """
            {"name": "tpe search", "dataset": {"name": "synthetic"},
             "model": {"type": "mlp", "hidden": [32], "activation": "relu"},
             "training": {"epochs": 2, "batchSize": 128, "seed": 11,
                          "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}},
             "sparsity": {"method": "set", "target": 0.5},
             "sweep": {"earlyStopping": {"type": "asha", "metric": "train.accuracy", "minEpochs": 1},
                       "search": {"type": "tpe", "budget": 5, "parallelism": 2, "startupTrials": 2,
               "objectives": [{"metric": "testAccuracy", "mode": "max"}, {"metric": "sparseFlops", "mode": "min"}],
               "space": {"sparsity.target": {"distribution": "uniform", "low": 0.3, "high": 0.9},
                         "training.optimizer.learningRate": {"distribution": "logUniform", "low": 0.01,
                                                             "high": 0.2}}}}}""";

    /**
     * A two-objective TPE search through the platform, with ASHA: two trials at a time, each next one proposed when one
     * ends, five in all, every trial a real run with its proposed values and judged by ASHA; the search's report has the
     * Pareto set. The same search submitted again (forced) proposes the same first trials; cancelling it closes it.
     */
    @Test
    @Order(7)
    void aTpeSearchProposesTrialsAsSlotsFreeUpAndReportsItsParetoSet() throws Exception {
        Api.Response r = api.post("/api/v1/experiments", "application/json", SEARCH);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
        String experiment = r.body().get("id").asString();
        assertThat(r.body().get("runs")).hasSize(2);
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        JsonNode report;
        while (true) {
            report = api.get("/api/v1/experiments/" + experiment + "/search").body();
            boolean done = !report.get("open").asBoolean() && report.get("trials").size() == 5;
            for (JsonNode t : report.get("trials")) {
                done &= Api.TERMINAL.contains(t.get("status").asString());
            }
            if (done) {
                break;
            }
            assertThat(System.nanoTime()).as("the search's five trials end in time: %s", report).isLessThan(deadline);
            Thread.sleep(500);
        }
        assertThat(report.get("proposed").asInt()).isEqualTo(5);
        for (JsonNode t : report.get("trials")) {
            assertThat(t.get("status").asString()).as("%s", t).isEqualTo("SUCCEEDED");
            double target = t.get("params").get("sparsity.target").asDouble();
            double lr = t.get("params").get("training.optimizer.learningRate").asDouble();
            assertThat(target).isBetween(0.3, 0.9);
            assertThat(lr).isBetween(0.01, 0.2);
            // the run trained with the trial's values
            JsonNode run = api.get("/api/v1/runs/" + t.get("runId").asString()).body();
            assertThat(run.get("spec").get("sparsity").get("target").asDouble()).isEqualTo(target);
            assertThat(run.get("spec").get("training").get("optimizer").get("learningRate").asDouble()).isEqualTo(lr);
            assertThat(t.get("objectives").get("testAccuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(t.get("objectives").get("sparseFlops").asDouble()).isPositive();
        }
        // with ASHA: every trial was judged at rung 0 (epoch 1), and a trial it stopped still ended evaluated
        assertThat(db.sql("select count(distinct run_id) from asha_rungs where experiment_id = ?::uuid and rung = 0")
                .param(experiment).query(Long.class).single()).isEqualTo(5L);
        // never more than two at a time: trial k was created once k - 1 earlier trials had ended
        List<Integer> early = db.sql("""
                select r.ordinal from runs r where r.experiment_id = ?::uuid and r.ordinal >= 2
                  and (select count(*) from runs p where p.experiment_id = r.experiment_id and p.ordinal < r.ordinal
                       and p.finished_at <= r.created_at) < r.ordinal - 1""").param(experiment)
                .query(Integer.class).list();
        assertThat(early).isEmpty();
        // the front: non-empty, and no completed trial dominates a trial on it
        List<JsonNode> trials = new ArrayList<>();
        report.get("trials").forEach(trials::add);
        assertThat(report.get("front")).isNotEmpty();
        for (JsonNode f : report.get("front")) {
            JsonNode a = trials.get(f.asInt());
            assertThat(a.get("onFront").asBoolean()).isTrue();
            for (JsonNode b : trials) {
                boolean dominates = b.get("objectives").get("testAccuracy").asDouble()
                        >= a.get("objectives").get("testAccuracy").asDouble()
                        && b.get("objectives").get("sparseFlops").asDouble()
                        <= a.get("objectives").get("sparseFlops").asDouble()
                        && !b.get("objectives").equals(a.get("objectives"));
                assertThat(dominates).as("%s dominates front member %s", b, a).isFalse();
            }
        }
        // the same search again (forced): the same first (random) trials; cancelled, it closes and proposes no more
        Api.Response again = api.post("/api/v1/experiments", "application/json",
                SEARCH.replace("\"name\": \"tpe search\"", "\"name\": \"tpe search\", \"force\": true"));
        assertThat(again.status()).as("%s", again.body()).isEqualTo(201);
        for (int i = 0; i < 2; i++) {
            assertThat(again.body().get("runs").get(i).get("gridPoint")).isEqualTo(trials.get(i).get("params"));
        }
        String second = again.body().get("id").asString();
        assertThat(api.post("/api/v1/experiments/" + second + "/cancel", "application/json", "").status())
                .isEqualTo(200);
        // cancelling closed the search in its transaction: nothing is proposed after it (the proposer checks under the
        // experiment's row lock), and neither trial could end before the cancel
        JsonNode closed = api.get("/api/v1/experiments/" + second + "/search").body();
        assertThat(closed.get("open").asBoolean()).isFalse();
        assertThat(closed.get("trials")).hasSize(2);
        // an experiment without a search has none to show
        Api.Response plain = api.post("/api/v1/experiments", "application/json", spec("no search", "synthetic", "[16]", 1,
                0.05, "{\"method\": \"dense\"}"));
        Api.Response none = api.get("/api/v1/experiments/" + plain.body().get("id").asString() + "/search");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.contentType()).startsWith("application/problem+json");
    }

    @Test
    @Order(8)
    void experimentsSurviveARestart() throws Exception {
        JsonNode before = api.get("/api/v1/experiments").body();
        assertThat(before.size()).isGreaterThan(0);
        platform.close();
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0, DATASETS, 4));
        api = new Api(platform.baseUrl(), platform.adminToken());
        db = JdbcClient.create(platform.dataSource());
        JsonNode after = api.get("/api/v1/experiments").body();
        assertThat(after).isEqualTo(before);
        // and the restarted platform still trains
        String runId = api.submitRun(spec("after restart", "synthetic", "[20]", 1, 0.05, "{\"method\": \"dense\"}"));
        assertThat(api.awaitRun(runId, RUN_TIMEOUT).get("status").asString()).isEqualTo("SUCCEEDED");
    }
}
