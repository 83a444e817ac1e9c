package dev.sparselab.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Queries at lab scale (issue 17, item 4): the platform in one JVM over a database of 10 experiments × 1,000
 * runs (10,000 runs; grid of 4 methods × 5 sparsities × 50 seeds; 95% SUCCEEDED with an evaluation, the rest
 * FAILED) and 1,000 metric points per run (4 series × 250 steps: 10 million points), generated once by SQL into
 * the data folder given (kept between invocations). Then, through the gateway with the admin token, 200 requests
 * of each kind one after another (after 20 of warm-up), printing p50/p95/max in ms:
 * <ul>
 *   <li>{@code GET /api/v1/compare?experiment=E} over one experiment of 1,000 runs;</li>
 *   <li>{@code GET /api/v1/runs?status=SUCCEEDED&method=rigl&limit=100} (filters across all 10,000 runs) and
 *       {@code GET /api/v1/runs?experiment=E&limit=500} (one experiment's runs, the web UI's page);</li>
 *   <li>{@code GET /api/v1/runs/{id}/metrics?name=series.0&maxPoints=100} (one series, downsampled).</li>
 * </ul>
 * and the {@code EXPLAIN (ANALYZE, BUFFERS)} of each endpoint's main statement.
 *
 * <p>Run with {@code bench/queries.sh [data folder=/tmp/sparselab-query-bench] [requests=200]}.
 */
public final class QueryLatency {
    private QueryLatency() {
    }

    static final int EXPERIMENTS = 10;
    static final int RUNS_PER_EXPERIMENT = 1000;
    static final int SERIES = 4;
    static final int STEPS = 250;

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "/tmp/sparselab-query-bench");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Files.createDirectories(dataDir);
        try (LocalPlatform platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0,
                dataDir.resolve("no-datasets"), 4, 0, List.of()))) {
            JdbcClient jdbc = JdbcClient.create(platform.dataSource());
            generate(jdbc);
            UUID experiment = jdbc.sql("select id from experiments where name = 'query bench 0'").query(UUID.class)
                    .single();
            List<UUID> runs = jdbc.sql("select id from runs where experiment_id = ? order by ordinal")
                    .param(experiment).query(UUID.class).list();
            HttpClient http = HttpClient.newHttpClient();
            String token = platform.adminToken();
            Map<String, IntFunction<String>> kinds = new LinkedHashMap<>();
            kinds.put("compare_1000_runs", i -> "/api/v1/compare?experiment=" + experiment);
            kinds.put("runs_filtered_status_method", i -> "/api/v1/runs?status=SUCCEEDED&method=rigl&limit=100");
            kinds.put("runs_of_experiment_500", i -> "/api/v1/runs?experiment=" + experiment + "&limit=500");
            kinds.put("series_maxPoints_100", i -> "/api/v1/runs/" + runs.get(i % runs.size())
                    + "/metrics?name=series.0&maxPoints=100");
            for (var kind : kinds.entrySet()) {
                for (int i = 0; i < 20; i++) {
                    get(http, platform.baseUrl() + kind.getValue().apply(i), token);
                }
                double[] ms = new double[requests];
                long bytes = 0;
                for (int i = 0; i < requests; i++) {
                    long t0 = System.nanoTime();
                    bytes += get(http, platform.baseUrl() + kind.getValue().apply(i + 20), token);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("RESULT %s requests=%d p50_ms=%.1f p95_ms=%.1f max_ms=%.1f mean_bytes=%d%n",
                        kind.getKey(), requests, ms[requests / 2], ms[(int) Math.ceil(requests * 0.95) - 1],
                        ms[requests - 1], bytes / requests);
            }
            explain(jdbc, "compare", """
                    select r.grid_point::text, r.status, e.test_accuracy, e.test_loss, e.sparsity, e.cost::text,
                      r.provenance::text, e.latency::text, e.all_sparsity
                    from runs r left join evaluations e on e.run_id = r.id
                    where r.experiment_id = '%s' order by r.ordinal""".formatted(experiment));
            explain(jdbc, "runs filtered", """
                    select r.id, m.value from (select r.id, r.created_at, r.ordinal, ev.test_accuracy
                        from runs r join experiments e on e.id = r.experiment_id join projects p on p.id = e.project_id
                        left join evaluations ev on ev.run_id = r.id
                        where r.status = 'SUCCEEDED' and r.spec -> 'sparsity' ->> 'method' = 'rigl'
                        order by r.created_at desc, r.ordinal limit 100) r
                    left join lateral (select epoch, step, value from run_metrics
                      where run_id = r.id and name = 'train.accuracy' order by step desc limit 1) m on true
                    order by r.created_at desc, r.ordinal""");
            explain(jdbc, "series", """
                    select step, epoch, value from run_metrics where run_id = '%s' and name = 'series.0'
                    order by step""".formatted(runs.get(0)));
        }
    }

    private static long get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return r.body().length;
    }

    private static void explain(JdbcClient jdbc, String label, String sql) {
        System.out.println("EXPLAIN " + label);
        jdbc.sql("explain (analyze, buffers) " + sql).query(String.class).list()
                .forEach(line -> System.out.println("EXPLAIN   " + line));
    }

    /** The sealed spec of each grid point (method i % 4, target (i / 4) % 5), as the platform stores a run's. */
    static final String[] SPECS = specs();

    private static String[] specs() {
        String[] methods = {"rigl", "set", "magnitude", "static"};
        double[] targets = {0.5, 0.8, 0.9, 0.95, 0.98};
        String[] specs = new String[20];
        for (int i = 0; i < 20; i++) {
            specs[i] = dev.sparselab.contracts.events.EventCodec.encode(new dev.sparselab.contracts.spec.ExperimentSpec(
                    "query bench", new dev.sparselab.contracts.spec.DatasetSpec(
                            dev.sparselab.contracts.spec.DatasetSpec.FASHION_MNIST, null, null),
                    new dev.sparselab.contracts.spec.ModelSpec(dev.sparselab.contracts.spec.ModelSpec.MLP,
                            List.of(300, 100), "relu"),
                    new dev.sparselab.contracts.spec.TrainingSpec(10, 128,
                            dev.sparselab.contracts.spec.OptimizerSpec.sgd(0.05, 0.9), 42L),
                    dev.sparselab.contracts.spec.SparsitySpec.of(methods[i % 4], targets[(i / 4) % 5]), null)
                    .withDefaults());
        }
        return specs;
    }

    /** 10,000 runs and 10 million points, once (the data folder keeps them). */
    static void generate(JdbcClient jdbc) {
        // (specs generated by an earlier version of this class were not sealed: rewrite them, cheap)
        jdbc.sql("update runs r set spec = (?::text[])[r.ordinal % 20 + 1]::jsonb from experiments e "
                + "where e.id = r.experiment_id and e.name like 'query bench %'").param(SPECS).update();
        long have = jdbc.sql("select count(*) from experiments where name like 'query bench %'").query(Long.class)
                .single();
        if (have == EXPERIMENTS) {
            return;
        }
        long t0 = System.nanoTime();
        jdbc.sql("insert into artifacts (sha256, kind, size_bytes, content) values ('bench', 'model', 1, '\\x00') "
                + "on conflict do nothing").update();
        String methods = "array['rigl','set','magnitude','static']"; // as in SPECS
        for (int x = 0; x < EXPERIMENTS; x++) {
            UUID experiment = UUID.randomUUID();
            jdbc.sql("insert into experiments (id, name, spec, owner, project_id) values (?, ?, ?::jsonb, 'admin', "
                            + "'00000000-0000-0000-0000-000000000001')")
                    .params(experiment, "query bench " + x, "{\"name\": \"query bench " + x + "\"}").update();
            // ordinal i: method i % 4, sparsity (i / 4) % 5, seed i / 20
            jdbc.sql("""
                    insert into runs (id, experiment_id, seed, spec, status, owner, ordinal, grid_point, created_at,
                      started_at, trained_at, finished_at, updated_at, provenance, artifact_sha256, reason)
                    select gen_random_uuid(), ?, i / 20,
                      (?::text[])[i %% 20 + 1]::jsonb,
                      case when i %% 20 = 19 then 'FAILED' else 'SUCCEEDED' end,
                      (array['admin','ana','ben','chen','dora'])[i %% 5 + 1], i,
                      jsonb_build_object('sparsity.method', (%s)[i %% 4 + 1],
                        'sparsity.target', (array[0.5, 0.8, 0.9, 0.95, 0.98])[(i / 4) %% 5 + 1]),
                      now() - make_interval(mins => (? * 1000 + i)), now(), now(), now(), now(),
                      '{"trainMillis": 30000, "samplesPerSecond": 40000}'::jsonb, 'bench',
                      case when i %% 20 = 19 then 'trainer error: bench' end
                    from generate_series(0, ? - 1) i""".formatted(methods))
                    .params(experiment, SPECS, EXPERIMENTS - x, RUNS_PER_EXPERIMENT).update();
        }
        jdbc.sql("""
                insert into evaluations (run_id, artifact_sha256, test_accuracy, test_loss, sparsity, parameters,
                  non_zero, examples, layers, device, all_parameters, all_non_zero, all_sparsity, cost, latency)
                select r.id, 'bench', 0.8 + random() * 0.05, 0.5 + random() * 0.1, 0.9, 266200, 26620, 10000,
                  '[]'::jsonb, 'cpu()', 266610, 27030, 0.898,
                  '{"denseFlops": 532400, "sparseFlops": 53240, "compressedBytes": 120000}'::jsonb,
                  '[{"batch": 1, "sparseMs": 0.1, "speedup": 1.0}, {"batch": 256, "sparseMs": 2.0, "speedup": 1.1}]'::jsonb
                from runs r join experiments e on e.id = r.experiment_id
                where e.name like 'query bench %' and r.status = 'SUCCEEDED'""").update();
        jdbc.sql("""
                insert into run_metrics (run_id, name, step, epoch, value)
                select r.id, 'series.' || k, s, s / 25 + 1, random()
                from runs r join experiments e on e.id = r.experiment_id,
                  generate_series(0, ? - 1) k, generate_series(1, ?) s
                where e.name like 'query bench %'""").params(SERIES, STEPS).update();
        jdbc.sql("analyze").update();
        System.out.printf("GENERATED %d runs and %d points in %.0f s%n",
                jdbc.sql("select count(*) from runs").query(Long.class).single(),
                jdbc.sql("select count(*) from run_metrics").query(Long.class).single(), (System.nanoTime() - t0) / 1e9);
    }
}
