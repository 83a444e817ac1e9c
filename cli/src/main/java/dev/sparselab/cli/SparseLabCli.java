package dev.sparselab.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sparselab}: the platform from a terminal or a script. Exit status 0 on success, 1 when a watched run
 * failed or was cancelled, 2 for a refused request (the server's problem details are printed), 3 when the server
 * cannot be reached.
 */
@Command(name = "sparselab", mixinStandardHelpOptions = true, version = "sparselab 0.1.0",
        description = "SparseLab from the command line: submit experiments, watch and compare runs.",
        subcommands = {SparseLabCli.Login.class, SparseLabCli.Submit.class, SparseLabCli.Runs.class,
                SparseLabCli.Show.class, SparseLabCli.ModelCommand.class, SparseLabCli.Cancel.class,
                SparseLabCli.Compare.class, SparseLabCli.Search.class,
                SparseLabCli.CatalogCommand.class})
public class SparseLabCli {
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    /** The server and the token: options, else SPARSELAB_URL / SPARSELAB_TOKEN, else what login saved. */
    static class Server {
        @Option(names = "--url", description = "the gateway, e.g. https://sparselab.lab.example (default: saved by "
                + "login, SPARSELAB_URL, or http://localhost:8080)")
        String url;
        @Option(names = "--token", description = "an API token (default: saved by login, or SPARSELAB_TOKEN)")
        String token;

        Api api() {
            Credentials c = Credentials.resolve(url, token);
            return new Api(c.url(), c.token());
        }
    }

    abstract static class Base implements Callable<Integer> {
        @Mixin
        Server server;
        @Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "login", description = "Save the server and an API token for later commands (file mode 0600). "
            + "With --user: log in with a password and create a token named after this machine.")
    static class Login extends Base {
        @Option(names = "--user", description = "log in as this user (asks for the password, or reads it from stdin "
                + "with --password-stdin)")
        String user;
        @Option(names = "--password-stdin", description = "read the password from standard input")
        boolean passwordStdin;

        @Override
        public Integer call() throws IOException {
            Credentials resolved = Credentials.resolve(server.url, server.token);
            String token = server.token;
            if (user != null) {
                String password = password();
                Api session = new Api(resolved.url(), null);
                session.post("/api/v1/auth/login", "application/json", Api.JSON.writeValueAsString(
                        Map.of("username", user, "password", password)));
                token = session.post("/api/v1/tokens", "application/json", Api.JSON.writeValueAsString(Map.of(
                        "name", "cli on " + host(), "expiresInDays", 90))).path("token").asString();
            } else if (token == null) {
                token = resolved.token();
            }
            if (token == null) {
                throw new CliException("give --token TOKEN or --user NAME", 2);
            }
            JsonNode me = new Api(resolved.url(), token).get("/api/v1/auth/me");
            new Credentials(resolved.url(), token).save();
            out().printf("logged in to %s as %s; token saved in %s%n", resolved.url(), me.path("username").asString(),
                    Credentials.file());
            return 0;
        }

        private String password() throws IOException {
            if (passwordStdin) {
                return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            Console console = System.console();
            if (console == null) {
                throw new CliException("no terminal to ask for the password: use --password-stdin", 2);
            }
            return new String(console.readPassword("password for %s: ", user));
        }

        private static String host() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "this machine";
            }
        }
    }

    @Command(name = "submit", description = "Submit a spec (YAML or JSON file, - for stdin); prints the experiment "
            + "and its runs. --watch follows them with a progress bar until they end.")
    static class Submit extends Base {
        @Parameters(paramLabel = "SPEC", description = "the spec file")
        String file;
        @Option(names = "--project", description = "the project to submit into (default: your own)")
        String project;
        @Option(names = "--watch", description = "follow the runs until they end")
        boolean watch;
        @Option(names = "--interval", description = "seconds between updates while watching (default 1)")
        double interval = 1;

        @Override
        public Integer call() throws Exception {
            String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file));
            boolean json = text.stripLeading().startsWith("{");
            Api api = server.api();
            Api.Answer answer = api.postStatus("/api/v1/experiments" + Api.query(Api.params("project", project)),
                    json ? "application/json" : "application/yaml", text);
            JsonNode created = answer.body();
            String id = created.path("id").asString();
            if (answer.status() == 200 && created.hasNonNull("duplicateOf")) {
                out().printf("identical runs exist already: experiment %s (add 'force: true' to train again)%n", id);
            } else {
                out().printf("experiment %s \"%s\": %d run(s)%n", id, created.path("name").asString(),
                        created.path("runs").size());
            }
            for (JsonNode r : created.path("runs")) {
                out().printf("  run %s  seed %d  %s%n", r.path("id").asString(), r.path("seed").asLong(),
                        r.path("status").asString());
            }
            out().flush();
            if (text.contains("search")) {
                try {
                    api.get("/api/v1/experiments/" + id + "/search");
                    out().printf("a search: its trials are proposed as earlier ones end; follow it with "
                            + "'sparselab search %s --follow'%n", id);
                    out().flush();
                } catch (CliException e) {
                    // not a search
                }
            }
            return watch ? Watch.follow(api, id, out(), interval) : 0;
        }
    }

    @Command(name = "runs", description = "List runs, newest first, with progress and accuracy.")
    static class Runs extends Base {
        @Option(names = "--experiment") String experiment;
        @Option(names = "--status", description = "QUEUED, RUNNING, EVALUATING, SUCCEEDED, FAILED or CANCELLED")
        String status;
        @Option(names = "--method") String method;
        @Option(names = "--limit") int limit = 50;

        @Override
        public Integer call() {
            JsonNode runs = server.api().get("/api/v1/runs" + Api.query(Api.params("experiment", experiment,
                    "status", status, "method", method, "limit", limit)));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"RUN", "EXPERIMENT", "METHOD", "TARGET", "SEED", "STATUS", "EPOCH", "TEST ACC"});
            for (JsonNode r : runs) {
                rows.add(new String[]{r.path("id").asString(), r.path("experimentName").asString(),
                        r.path("method").asString(), fmt(r.path("target")), r.path("seed").asString(),
                        r.path("status").asString(), r.path("epoch").asInt() + "/" + r.path("totalEpochs").asInt(),
                        fmt(r.path("testAccuracy"))});
            }
            Table.print(out(), rows);
            return 0;
        }
    }

    @Command(name = "show", description = "One run: status, timings, per-epoch metrics and its evaluation.")
    static class Show extends Base {
        @Parameters(paramLabel = "RUN") String run;
        @Option(names = "--json", description = "print the API's JSON as it is") boolean json;

        @Override
        public Integer call() {
            JsonNode r = server.api().get("/api/v1/runs/" + run);
            if (json) {
                out().println(r.toPrettyString());
                return 0;
            }
            out().printf("run %s (experiment %s)%n", r.path("id").asString(), r.path("experimentId").asString());
            out().printf("  status     %s%s%n", r.path("status").asString(),
                    r.hasNonNull("reason") ? ": " + r.path("reason").asString() : "");
            out().printf("  method     %s, target %s, seed %d%n", r.at("/spec/sparsity/method").asString("dense"),
                    fmt(r.at("/spec/sparsity/target")), r.path("seed").asLong());
            out().printf("  trainer    %s on %s%n", r.path("trainer").asString("-"), r.path("device").asString("-"));
            for (JsonNode e : r.path("epochs")) {
                out().printf("  epoch %3d  %s%n", e.path("epoch").asInt(), e.path("values").toString());
            }
            JsonNode ev = r.path("evaluation");
            if (ev.isObject()) {
                out().printf("  test accuracy %s, loss %s, sparsity %s, parameters %d (non-zero %d)%n",
                        fmt(ev.path("testAccuracy")), fmt(ev.path("testLoss")), fmt(ev.path("sparsity")),
                        ev.path("parameters").asLong(), ev.path("nonZero").asLong());
                out().printf("  over all weight layers (dense ones included): sparsity %s, parameters %d "
                        + "(non-zero %d)%n", fmt(ev.at("/allWeights/sparsity")), ev.at("/allWeights/parameters").asLong(),
                        ev.at("/allWeights/nonZero").asLong());
            }
            return 0;
        }
    }

    @Command(name = "model", description = "Download a run's trained model: safetensors (PyTorch state-dict names, "
            + "masks as <weight>_mask), safetensors-csr (compressed rows) or sparselab (as stored).")
    static class ModelCommand extends Base {
        @Parameters(paramLabel = "RUN") String run;
        @Option(names = "--format", defaultValue = "safetensors",
                description = "safetensors (default), safetensors-csr or sparselab") String format;
        @Option(names = {"-o", "--output"}, description = "the file (default: run-RUN.FORMAT in this folder)")
        java.nio.file.Path output;

        @Override
        public Integer call() throws Exception {
            byte[] data = server.api().getBytes("/api/v1/runs/" + run + "/model" + Api.query(Api.params("format",
                    format)));
            java.nio.file.Path file = output != null ? output : java.nio.file.Path.of("run-" + run + "."
                    + (format.startsWith("safetensors") ? format.replace("safetensors-csr", "csr.safetensors")
                    : format));
            java.nio.file.Files.write(file, data);
            out().printf("%s: %d bytes (%s)%n", file, data.length, format);
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel a run, or every queued and running run of an experiment.")
    static class Cancel extends Base {
        @Parameters(paramLabel = "ID", description = "a run id (an experiment id with --experiment)") String id;
        @Option(names = "--experiment", description = "ID is an experiment") boolean experiment;

        @Override
        public Integer call() {
            JsonNode r = server.api().post((experiment ? "/api/v1/experiments/" : "/api/v1/runs/") + id + "/cancel");
            out().printf("%s %s: %s%n", experiment ? "experiment" : "run", id,
                    experiment ? r.path("runs").size() + " run(s), queued and running ones cancelled"
                            : r.path("status").asString());
            return 0;
        }
    }

    @Command(name = "compare", description = "Mean and spread over seeds per grid point, for one or more "
            + "experiments; --csv for a spreadsheet.")
    static class Compare extends Base {
        @Parameters(paramLabel = "EXPERIMENT", arity = "1..*") List<String> experiments;
        @Option(names = "--csv", description = "CSV, as the API gives it") boolean csv;

        @Override
        public Integer call() {
            Api api = server.api();
            String path = "/api/v1/compare" + Api.query(Api.params("experiment", experiments));
            if (csv) {
                out().print(api.getText(path, "text/csv"));
                return 0;
            }
            JsonNode c = api.get(path);
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"EXPERIMENT", "GRID POINT", "RUNS", "ACCURACY", "± STD", "SPARSITY", "FLOPS"});
            for (JsonNode row : c.path("rows")) {
                JsonNode m = row.path("metrics");
                rows.add(new String[]{row.path("experimentName").asString(), row.path("gridPoint").toString(),
                        row.path("succeeded").asInt() + "/" + row.path("runs").asInt(),
                        fmt(m.at("/testAccuracy/mean")), fmt(m.at("/testAccuracy/std")), fmt(m.at("/sparsity/mean")),
                        fmt(m.at("/sparseFlops/mean"))});
            }
            Table.print(out(), rows);
            return 0;
        }
    }

    @Command(name = "search", description = "A search's trials (values, status, objectives; * on the Pareto set). "
            + "--follow prints each trial as it ends, until the search has spent its budget and every trial ended.")
    static class Search extends Base {
        @Parameters(paramLabel = "EXPERIMENT") String experiment;
        @Option(names = "--follow", description = "follow the search until it ends") boolean follow;
        @Option(names = "--interval", description = "seconds between updates while following (default 2)")
        double interval = 2;

        @Override
        public Integer call() throws InterruptedException {
            Api api = server.api();
            String path = "/api/v1/experiments/" + experiment + "/search";
            java.util.Set<Integer> shown = new java.util.HashSet<>();
            while (true) {
                JsonNode s = api.get(path);
                boolean ended = !s.path("open").asBoolean();
                for (JsonNode t : s.path("trials")) {
                    boolean terminal = TERMINAL.contains(t.path("status").asString());
                    ended &= terminal;
                    if (follow && terminal && shown.add(t.path("trial").asInt())) {
                        out().printf("trial %d %s %s %s%n", t.path("trial").asInt(), t.path("status").asString(),
                                t.path("params"), t.path("objectives"));
                    }
                }
                if (!follow || ended) {
                    List<String[]> rows = new ArrayList<>();
                    List<String> objectives = new ArrayList<>();
                    s.path("objectives").forEach(o -> objectives.add(o.path("metric").asString()));
                    List<String> header = new ArrayList<>(List.of("TRIAL", "STATUS", "VALUES"));
                    objectives.forEach(o -> header.add(o.toUpperCase(java.util.Locale.ROOT)));
                    header.add("FRONT");
                    rows.add(header.toArray(String[]::new));
                    for (JsonNode t : s.path("trials")) {
                        List<String> row = new ArrayList<>(List.of(t.path("trial").asString(),
                                t.path("status").asString(), t.path("params").toString()));
                        objectives.forEach(o -> row.add(fmt(t.path("objectives").path(o))));
                        row.add(t.path("onFront").asBoolean() ? "*" : "");
                        rows.add(row.toArray(String[]::new));
                    }
                    out().printf("%s search, %d of %d trials proposed, %d completed%s%n", s.path("type").asString(),
                            s.path("proposed").asInt(), s.path("budget").asInt(), s.path("completed").asInt(),
                            s.path("open").asBoolean() ? "" : " (closed)");
                    Table.print(out(), rows);
                    out().printf("Pareto set: trials %s%n", s.path("front"));
                    out().flush();
                    return 0;
                }
                out().flush();
                Thread.sleep((long) (interval * 1000));
            }
        }
    }

    @Command(name = "catalog", description = "Datasets, models and sparsity methods, with each method's parameters.")
    static class CatalogCommand extends Base {
        @Override
        public Integer call() {
            JsonNode c = server.api().get("/api/v1/catalog");
            out().println("datasets:");
            c.path("datasets").forEach(d -> out().printf("  %-16s %s%n", d.path("name").asString(),
                    d.path("description").asString()));
            out().println("methods:");
            for (JsonNode m : c.path("methods")) {
                List<String> params = new ArrayList<>();
                m.at("/schema/properties").properties().forEach(p -> params.add(p.getKey()));
                out().printf("  %-16s %s%n  %-16s parameters: %s%n", m.path("name").asString(),
                        m.path("description").asString(), "", String.join(", ", params));
            }
            return 0;
        }
    }

    static String fmt(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "-";
        }
        if (n.isIntegralNumber()) {
            return n.asString();
        }
        return n.isNumber() ? String.format(Locale.ROOT, "%.4f", n.asDouble()) : n.asString();
    }

    /** Runs the command line; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SparseLabCli()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliException c) {
                err.println(c.getMessage());
                err.flush();
                return c.exitCode;
            }
            throw e;
        });
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Aligned columns. */
    static final class Table {
        private Table() {
        }

        static void print(PrintWriter out, List<String[]> rows) {
            Map<Integer, Integer> widths = new LinkedHashMap<>();
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    widths.merge(i, Math.min(40, r[i].length()), Math::max);
                }
            }
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    String cell = r[i].length() > 40 ? r[i].substring(0, 39) + "…" : r[i];
                    line.append(cell).append(" ".repeat(widths.get(i) - cell.length() + 2));
                }
                out.println(line.toString().stripTrailing());
            }
            out.flush();
        }
    }
}
