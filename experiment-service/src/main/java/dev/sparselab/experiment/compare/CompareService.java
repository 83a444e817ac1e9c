package dev.sparselab.experiment.compare;

import dev.sparselab.contracts.events.EventCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * Compares experiments: one row per (experiment, grid point), aggregating the runs that differ only by
 * seed (SUCCEEDED runs only) to mean, std and 95% CI per metric, and the Pareto front of accuracy against
 * inference FLOPs over the rows.
 */
@Service
@Transactional(readOnly = true)
class CompareService {
    /** The aggregated metrics, in column order. */
    public static final List<String> METRICS = List.of("testAccuracy", "testLoss", "sparsity", "allWeightsSparsity",
            "denseFlops",
            "sparseFlops", "flopReduction", "compressedBytes", "trainingFlopsRatio", "trainSeconds", "samplesPerSecond",
            "latencyMsBatch1", "latencyMsBatch256", "speedupBatch1", "speedupBatch256");

    private final JdbcClient jdbc;

    CompareService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record ExperimentRef(UUID id, String name) {
    }

    public record Row(UUID experimentId, String experimentName, JsonNode gridPoint, int runs, int succeeded,
                      int failed, Map<String, Stats> metrics) {
    }

    /** Row indices on the front, by increasing cost (sparse FLOPs; sparse latency at batch 256). */
    public record Pareto(List<Integer> accuracyVsFlops, List<Integer> accuracyVsLatency) {
    }

    public record Comparison(List<ExperimentRef> experiments, List<Row> rows, Pareto pareto) {
    }

    record RunFacts(String gridPoint, String status, Map<String, Double> metrics) {
    }

    /** Empty when one of the experiments does not exist. */
    public Optional<Comparison> compare(List<UUID> experimentIds) {
        List<ExperimentRef> refs = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (UUID id : experimentIds) {
            Optional<String> name = jdbc.sql("select name from experiments where id = ?").param(id)
                    .query(String.class).optional();
            if (name.isEmpty()) {
                return Optional.empty();
            }
            refs.add(new ExperimentRef(id, name.get()));
            Map<String, List<RunFacts>> groups = new LinkedHashMap<>();
            jdbc.sql("""
                            select r.grid_point::text, r.status, %s
                            from runs r left join evaluations e on e.run_id = r.id
                            where r.experiment_id = ? order by r.ordinal""".formatted(RunMetrics.COLUMNS))
                    .param(id)
                    .query((rs, i) -> new RunFacts(rs.getString(1), rs.getString(2), RunMetrics.read(rs, 3)))
                    .list()
                    .forEach(f -> groups.computeIfAbsent(canonical(f.gridPoint()), k -> new ArrayList<>()).add(f));
            groups.forEach((point, facts) -> {
                Map<String, Stats> stats = new LinkedHashMap<>();
                List<RunFacts> ok = facts.stream().filter(f -> "SUCCEEDED".equals(f.status())).toList();
                for (String m : METRICS) {
                    List<Double> values = ok.stream().map(f -> f.metrics().get(m)).filter(v -> v != null).toList();
                    stats.put(m, Stats.of(values));
                }
                rows.add(new Row(id, name.get(), EventCodec.mapper().readTree(point), facts.size(), ok.size(),
                        (int) facts.stream().filter(f -> "FAILED".equals(f.status())).count(), stats));
            });
        }
        double[] accuracy = rows.stream().mapToDouble(r -> mean(r, "testAccuracy")).toArray();
        double[] flops = rows.stream().mapToDouble(r -> mean(r, "sparseFlops")).toArray();
        double[] latency = rows.stream().mapToDouble(r -> mean(r, "latencyMsBatch256")).toArray();
        return Optional.of(new Comparison(refs, rows,
                new Pareto(ParetoFront.of(accuracy, flops), ParetoFront.of(accuracy, latency))));
    }

    private static double mean(Row r, String metric) {
        Stats s = r.metrics().get(metric);
        return s == null || s.n() == 0 ? Double.NaN : s.mean();
    }

    private static String canonical(String gridPoint) {
        return EventCodec.encode(EventCodec.mapper().readTree(gridPoint == null ? "{}" : gridPoint));
    }

    /** The rows as CSV: one line per row, mean/std/ci95 columns per metric. */
    public static String csv(Comparison c) {
        StringBuilder sb = new StringBuilder("experiment_id,experiment_name,grid_point,runs,succeeded,failed");
        for (String m : METRICS) {
            sb.append(',').append(m).append("_mean,").append(m).append("_std,").append(m).append("_ci95_low,")
                    .append(m).append("_ci95_high");
        }
        sb.append('\n');
        for (Row r : c.rows()) {
            StringBuilder point = new StringBuilder();
            r.gridPoint().properties().forEach(e -> point.append(point.isEmpty() ? "" : "; ")
                    .append(e.getKey()).append('=').append(e.getValue().isString() ? e.getValue().asString()
                            : e.getValue().toString()));
            sb.append(r.experimentId()).append(',').append(quote(r.experimentName())).append(',')
                    .append(quote(point.toString())).append(',').append(r.runs()).append(',')
                    .append(r.succeeded()).append(',').append(r.failed());
            for (String m : METRICS) {
                Stats s = r.metrics().get(m);
                sb.append(',').append(num(s.n() == 0 ? Double.NaN : s.mean())).append(',')
                        .append(num(s.n() < 2 ? Double.NaN : s.std())).append(',')
                        .append(num(s.ci95() == null ? Double.NaN : s.ci95()[0])).append(',')
                        .append(num(s.ci95() == null ? Double.NaN : s.ci95()[1]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String quote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
