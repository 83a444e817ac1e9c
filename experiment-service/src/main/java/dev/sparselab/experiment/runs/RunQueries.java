package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.events.EventCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/** Read models of experiments, runs and metric series, as the API serves them. */
@Service
@Transactional(readOnly = true)
class RunQueries {
    private final JdbcClient jdbc;

    RunQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The headline numbers of an evaluation; {@code layers} only in the run view. {@code sparsity},
     * {@code parameters} and {@code nonZero} count the layers the method sparsifies; {@code allWeights} counts
     * every weight layer, the ones kept dense included.
     */
    public record EvaluationView(double testAccuracy, double testLoss, double sparsity, long parameters,
                                 long nonZero, int examples, String device, JsonNode layers, JsonNode activations,
                                 JsonNode cost, Double nmCompliance, JsonNode latency, Double top5Accuracy,
                                 JsonNode provenance, Instant evaluatedAt, JsonNode conditional,
                                 WeightCount allWeights) {
    }

    /** Weights over a set of layers: dense count, non-zeros, fraction zero. */
    public record WeightCount(long parameters, long nonZero, double sparsity) {
    }

    public record RunSummary(UUID id, long seed, JsonNode gridPoint, RunStatus status, String reason,
                             boolean stoppedEarly, EvaluationView evaluation) {
    }

    /**
     * How a run is scheduled and how it went through trainers.
     *
     * @param attempt         how many times a trainer took the run (more than 1: it was resumed)
     * @param resumedFromStep the step of the checkpoint the last attempt resumed from
     * @param stoppedEarly    ended by early stopping (ASHA); the model is evaluated as it was then
     */
    public record Scheduling(String owner, String priority, Instant releasedAt, int attempt, Long resumedFromStep,
                             boolean stoppedEarly, String contentHash) {
    }

    /** The runs of one grid point (they differ only by seed). */
    public record GridGroup(JsonNode gridPoint, List<UUID> runs, Map<RunStatus, Long> statuses) {
    }

    public record ExperimentView(UUID id, String name, String project, Instant createdAt, JsonNode spec,
                                 List<RunSummary> runs, List<GridGroup> groups) {
    }

    public record ExperimentListItem(UUID id, String name, String project, Instant createdAt,
                                     Map<RunStatus, Long> runs) {
    }

    /** One epoch's metrics, by name. */
    public record EpochMetrics(int epoch, long step, Map<String, Double> values) {
    }

    public record RunView(UUID id, UUID experimentId, long seed, JsonNode spec, RunStatus status, String reason,
                          String trainer, String device, Instant createdAt, Instant startedAt, Instant trainedAt,
                          Instant finishedAt, String artifactSha256, JsonNode provenance, List<EpochMetrics> epochs,
                          EvaluationView evaluation, String cancelledBy, Instant cancelledAt,
                          Scheduling scheduling) {
    }

    public record SeriesPoint(long step, int epoch, double value) {
    }

    /**
     * One series; {@code points} may be downsampled.
     *
     * @param total the number of points stored
     */
    public record Series(String name, int total, List<SeriesPoint> points) {
    }

    public record MetricsView(UUID runId, List<Series> series) {
    }

    /** The newest experiments in the given projects (null: all projects). */
    public List<ExperimentListItem> experiments(java.util.Set<UUID> projects, int limit) {
        List<ExperimentListItem> items = jdbc.sql("""
                        select e.id, e.name, p.name, e.created_at from experiments e join projects p on p.id = e.project_id
                        where (cast(? as uuid[]) is null or e.project_id = any(?))
                        order by e.created_at desc limit ?""")
                .params(uuids(projects), uuids(projects), limit)
                .query((rs, i) -> new ExperimentListItem(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getString(3), instant(rs.getTimestamp(4)), new LinkedHashMap<>()))
                .list();
        for (ExperimentListItem item : items) {
            jdbc.sql("select status, count(*) from runs where experiment_id = ? group by status order by status")
                    .param(item.id())
                    .query((ResultSet rs) -> {
                        item.runs().put(RunStatus.valueOf(rs.getString(1)), rs.getLong(2));
                    });
        }
        return items;
    }

    public Optional<ExperimentView> experiment(UUID id) {
        return jdbc.sql("""
                        select e.id, e.name, p.name, e.created_at, e.spec::text
                        from experiments e join projects p on p.id = e.project_id where e.id = ?""").param(id)
                .query((rs, i) -> {
                    List<RunSummary> runs = summaries(id);
                    return new ExperimentView(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                            instant(rs.getTimestamp(4)), json(rs.getString(5)), runs, groups(runs));
                })
                .optional();
    }

    private static List<GridGroup> groups(List<RunSummary> runs) {
        Map<JsonNode, GridGroup> groups = new LinkedHashMap<>();
        for (RunSummary r : runs) {
            GridGroup g = groups.computeIfAbsent(r.gridPoint(),
                    p -> new GridGroup(p, new ArrayList<>(), new TreeMap<>()));
            g.runs().add(r.id());
            g.statuses().merge(r.status(), 1L, Long::sum);
        }
        return new ArrayList<>(groups.values());
    }

    private List<RunSummary> summaries(UUID experimentId) {
        return jdbc.sql("""
                        select r.id, r.seed, r.grid_point::text, r.status, r.reason, r.stopped_early, %s
                        from runs r left join evaluations e on e.run_id = r.id
                        where r.experiment_id = ? order by r.ordinal""".formatted(EVALUATION_COLUMNS))
                .param(experimentId)
                .query((rs, i) -> new RunSummary(rs.getObject(1, UUID.class), rs.getLong(2), json(rs.getString(3)),
                        RunStatus.valueOf(rs.getString(4)), rs.getString(5), rs.getBoolean(6),
                        evaluation(rs, false)))
                .list();
    }

    public Optional<RunView> run(UUID id) {
        return jdbc.sql("""
                        select r.id, r.experiment_id, r.seed, r.spec::text, r.status, r.reason, r.trainer, r.device,
                          r.created_at, r.started_at, r.trained_at, r.finished_at, r.artifact_sha256,
                          r.provenance::text, r.cancelled_by, r.cancelled_at, r.owner, r.priority, r.released_at,
                          r.attempt, r.resumed_from_step, r.stopped_early, r.content_hash, %s
                        from runs r left join evaluations e on e.run_id = r.id where r.id = ?"""
                        .formatted(EVALUATION_COLUMNS))
                .param(id)
                .query((rs, i) -> new RunView(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getLong(3),
                        json(rs.getString(4)), RunStatus.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7),
                        rs.getString(8), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)),
                        instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12)), rs.getString(13),
                        json(rs.getString(14)), epochs(id), evaluation(rs, true), rs.getString(15),
                        instant(rs.getTimestamp(16)), new Scheduling(rs.getString(17),
                                PRIORITIES[rs.getInt(18)], instant(rs.getTimestamp(19)), rs.getInt(20),
                                (Long) rs.getObject(21), rs.getBoolean(22), rs.getString(23))))
                .optional();
    }

    private List<EpochMetrics> epochs(UUID runId) {
        Map<Integer, EpochMetrics> byEpoch = new TreeMap<>();
        // epoch-level metrics only; mask updates and pruning events are series (see metrics())
        jdbc.sql("""
                        select epoch, step, name, value from run_metrics
                        where run_id = ? and epoch > 0 and name not like 'mask.%' and name not like 'rigl.%'
                          and name not like 'prune.%'
                        order by epoch, step, name""")
                .param(runId)
                .query((ResultSet rs) -> {
                    int epoch = rs.getInt(1);
                    EpochMetrics m = byEpoch.computeIfAbsent(epoch,
                            e -> new EpochMetrics(e, 0, new TreeMap<>()));
                    long step = Math.max(m.step(), rs.getLong(2));
                    Map<String, Double> values = m.values();
                    values.put(rs.getString(3), rs.getDouble(4));
                    byEpoch.put(epoch, new EpochMetrics(epoch, step, values));
                });
        return new ArrayList<>(byEpoch.values());
    }

    public boolean runExists(UUID id) {
        return jdbc.sql("select count(*) from runs where id = ?").param(id).query(Long.class).single() > 0;
    }

    /**
     * Every series of a run, or only the one named; points in step order, each series downsampled with
     * {@link Lttb} to at most {@code maxPoints} points (0 = all).
     */
    public MetricsView metrics(UUID runId, String name, int maxPoints) {
        Map<String, List<SeriesPoint>> series = new TreeMap<>();
        jdbc.sql("""
                        select name, step, epoch, value from run_metrics
                        where run_id = ? and (cast(? as text) is null or name = ?) order by name, step""")
                .params(runId, name, name)
                .query((ResultSet rs) -> {
                    series.computeIfAbsent(rs.getString(1), n -> new ArrayList<>())
                            .add(new SeriesPoint(rs.getLong(2), rs.getInt(3), rs.getDouble(4)));
                });
        List<Series> out = new ArrayList<>();
        series.forEach((n, pts) -> out.add(new Series(n, pts.size(), Lttb.downsample(pts, maxPoints))));
        return new MetricsView(runId, out);
    }

    private static final String[] PRIORITIES = {"low", "normal", "high"};

    private static final String EVALUATION_COLUMNS = """
            e.run_id as e_run, e.test_accuracy, e.test_loss, e.sparsity, e.parameters, e.non_zero, e.examples,
            e.device as e_device, e.layers::text as e_layers, e.activations::text as e_activations,
            e.cost::text as e_cost, e.nm_compliance, e.latency::text as e_latency, e.top5_accuracy,
            e.provenance::text as e_provenance, e.created_at as e_created, e.conditional::text as e_conditional,
            e.all_parameters, e.all_non_zero, e.all_sparsity""";

    private static EvaluationView evaluation(ResultSet rs, boolean withLayers) throws SQLException {
        if (rs.getObject("e_run") == null) {
            return null;
        }
        return new EvaluationView(rs.getDouble("test_accuracy"), rs.getDouble("test_loss"), rs.getDouble("sparsity"),
                rs.getLong("parameters"), rs.getLong("non_zero"), rs.getInt("examples"), rs.getString("e_device"),
                withLayers ? json(rs.getString("e_layers")) : null,
                withLayers ? json(rs.getString("e_activations")) : null, costSummary(json(rs.getString("e_cost")),
                withLayers), (Double) rs.getObject("nm_compliance"),
                withLayers ? json(rs.getString("e_latency")) : null, (Double) rs.getObject("top5_accuracy"),
                withLayers ? json(rs.getString("e_provenance")) : null, instant(rs.getTimestamp("e_created")),
                json(rs.getString("e_conditional")), new WeightCount(rs.getLong("all_parameters"),
                rs.getLong("all_non_zero"), rs.getDouble("all_sparsity")));
    }

    /** The cost; without its per-layer list in summaries. */
    private static JsonNode costSummary(JsonNode cost, boolean withLayers) {
        if (cost == null || withLayers || !cost.isObject()) {
            return cost;
        }
        tools.jackson.databind.node.ObjectNode copy = ((tools.jackson.databind.node.ObjectNode) cost).deepCopy();
        copy.remove("layers");
        return copy;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static JsonNode json(String text) {
        return text == null ? null : EventCodec.mapper().readTree(text);
    }

    /** A set of ids as a SQL array parameter (null stays null: no filter). */
    public static UUID[] uuids(java.util.Set<UUID> ids) {
        return ids == null ? null : ids.toArray(UUID[]::new);
    }
}
