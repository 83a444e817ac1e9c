package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.cli.SparseLabCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients for scripts against a running platform: the CLI ({@code sparselab login, submit --watch, runs, show,
 * cancel, compare --csv, catalog}) and the Python module ({@code clients/python}, its unittest suite).
 */
class ClientsIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir
    static Path dir;
    static LocalPlatform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = LocalPlatform.start(new LocalPlatform.Options(dir.resolve("platform"), 0, 0, 0, PlatformIT.DATASETS, 4));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    record Result(int status, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SparseLabCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void theCommandLine() throws Exception {
        System.setProperty("sparselab.config", dir.resolve("cli-config").toString());
        Result login = cli("login", "--url", platform.baseUrl(), "--token", platform.adminToken());
        assertThat(login.status()).as(login.err()).isZero();
        assertThat(login.out()).contains("as admin");
        Path saved = dir.resolve("cli-config/credentials.json");
        assertThat(Files.getPosixFilePermissions(saved))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        // from here on the saved server and token are used
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, """
                name: cli sweep
                dataset: {name: synthetic}
                model: {type: mlp, hidden: [16]}
                training: {epochs: 2, batchSize: 64}
                sparsity: {method: rigl, target: 0.8}
                sweep: {seeds: [1, 2]}
                """);
        Result submit = cli("submit", spec.toString(), "--watch", "--interval", "0.5");
        assertThat(submit.status()).as(submit.out() + submit.err()).isZero();
        assertThat(submit.out()).contains("\"cli sweep\": 2 run(s)").contains("[####################] 100%")
                .contains("2 run(s) ended: 2 succeeded, 0 failed or cancelled");
        String experiment = submit.out().lines().findFirst().orElseThrow().split(" ")[1];
        String run = submit.out().lines().filter(l -> l.startsWith("  run ")).findFirst().orElseThrow().split("\\s+")[2];

        Result runs = cli("runs", "--experiment", experiment);
        assertThat(runs.out().lines().skip(1).toList()).hasSize(2).allSatisfy(l -> assertThat(l).contains("SUCCEEDED"));
        Result show = cli("show", run);
        assertThat(show.out()).contains("status     SUCCEEDED").contains("method     rigl").contains("test accuracy");
        Result csv = cli("compare", experiment, "--csv");
        assertThat(csv.out().lines().toList()).hasSize(2);
        assertThat(cli("compare", experiment).out()).contains("cli sweep").contains("2/2");
        assertThat(cli("catalog").out()).contains("rigl").contains("fashion-mnist");
        // the trained model, downloaded: the stored artifact's bytes (its sha256 is the run's), and safetensors
        Path stored = dir.resolve("model.sparselab");
        Result model = cli("model", run, "--format", "sparselab", "-o", stored.toString());
        assertThat(model.status()).as(model.err()).isZero();
        assertThat(dev.sparselab.contracts.artifact.ModelArtifact.sha256(Files.readAllBytes(stored)))
                .isEqualTo(cli("show", run, "--json").out().replaceAll("(?s).*\"artifactSha256\"\\s*:\\s*\"([0-9a-f]+)\".*", "$1"));
        Path tensors = dir.resolve("model.safetensors");
        assertThat(cli("model", run, "-o", tensors.toString()).status()).isZero();
        assertThat(Files.readString(tensors, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("fc1.weight_mask");
        Result badFormat = cli("model", run, "--format", "onnx");
        assertThat(badFormat.status()).isEqualTo(2);
        assertThat(badFormat.err()).contains("format");

        // a search: started with submit, followed with search --follow until its budget is spent and its trials ended
        Path search = dir.resolve("search.yaml");
        Files.writeString(search, """
                name: cli search
                dataset: {name: synthetic}
                model: {type: mlp, hidden: [16]}
                training: {epochs: 1, batchSize: 64}
                sparsity: {method: set, target: 0.8}
                sweep:
                  search:
                    type: random
                    budget: 3
                    parallelism: 2
                    objectives: [{metric: testAccuracy}]
                    space: {sparsity.target: {distribution: uniform, low: 0.5, high: 0.9}}
                """);
        Result started = cli("submit", search.toString());
        assertThat(started.out()).as(started.err()).contains("\"cli search\": 2 run(s)").contains("--follow");
        String searchId = started.out().lines().findFirst().orElseThrow().split(" ")[1];
        Result followed = cli("search", searchId, "--follow", "--interval", "0.5");
        assertThat(followed.status()).as(followed.err()).isZero();
        assertThat(followed.out()).contains("trial 0 SUCCEEDED").contains("trial 2 SUCCEEDED")
                .contains("random search, 3 of 3 trials proposed, 3 completed (closed)").contains("Pareto set: trials [");

        // cancel: a long run, stopped
        Path longSpec = dir.resolve("long.json");
        Files.writeString(longSpec, """
                {"name": "long", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [256, 256]},
                 "training": {"epochs": 300}, "sparsity": {"method": "dense"}}""");
        Result longSubmit = cli("submit", longSpec.toString());
        String longExperiment = longSubmit.out().lines().findFirst().orElseThrow().split(" ")[1];
        Result cancel = cli("cancel", "--experiment", longExperiment);
        assertThat(cancel.status()).as(cancel.err()).isZero();

        // refused: the fields the server names; unreachable: exit 3
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"name": "bad", "dataset": {"name": "synthetic"}, "model": {"type": "mlp"}, "training": {"epochs": 0}}""");
        Result refused = cli("submit", bad.toString());
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).contains("error (400)").contains("/training/epochs");
        assertThat(cli("runs", "--url", "http://127.0.0.1:9").status()).isEqualTo(3);
        Result anonymous = cli("runs", "--token", "slt_not_a_real_token");
        assertThat(anonymous.status()).isEqualTo(2);
        assertThat(anonymous.err()).contains("error (401)").contains("sparselab login");
        // (login with a password is the Python client's test: the same two requests)
    }

    @Test
    void thePythonClient() throws Exception {
        Path log = dir.resolve("python.log");
        ProcessBuilder pb = new ProcessBuilder(List.of("python3", "-m", "unittest", "-v", "test_sparselab"))
                .directory(REPO.resolve("clients/python").toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SPARSELAB_URL", platform.baseUrl());
        pb.environment().put("SPARSELAB_TOKEN", platform.adminToken());
        pb.environment().put("SPARSELAB_PASSWORD", platform.adminPassword());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("Ran 9 tests").contains("OK");
    }
}
