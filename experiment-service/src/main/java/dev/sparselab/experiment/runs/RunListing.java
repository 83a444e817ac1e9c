package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SparsitySchedule;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * The run list as a person watching a lab's queue wants it: newest first, filterable by experiment, status,
 * method and owner, each run with its progress (epoch of all epochs, step of all steps), the training
 * accuracy so far, an estimate of the time left, and the test accuracy once evaluated.
 */
@Service
class RunListing {
    private final JdbcClient jdbc;

    RunListing(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Which runs. Null fields do not filter; {@code projects} null: every project. */
    public record Filter(java.util.Set<UUID> projects, UUID experiment, RunStatus status, String method,
                         String owner, Instant updatedAfter, int limit) {
    }

    /**
     * One run in the list.
     *
     * @param epoch          epochs reported so far (0 before the first)
     * @param totalEpochs    all epochs the run will take (with fine-tuning or retraining)
     * @param etaSeconds     for a running run: time left at the pace so far; else null
     * @param trainAccuracy  the last reported training accuracy
     */
    public record Item(UUID id, UUID experimentId, String experimentName, UUID projectId, String project,
                       String owner, String method,
                       double target, long seed, JsonNode gridPoint, RunStatus status, String reason, int epoch,
                       int totalEpochs, long step, long totalSteps, Double trainAccuracy, Double testAccuracy,
                       Double etaSeconds, boolean stoppedEarly, Instant createdAt, Instant startedAt,
                       Instant updatedAt) {
    }

    public List<Item> list(Filter f) {
        StringBuilder where = new StringBuilder("true");
        List<Object> params = new ArrayList<>();
        if (f.projects() != null) {
            where.append(" and e.project_id = any(?)");
            params.add(RunQueries.uuids(f.projects()));
        }
        if (f.experiment() != null) {
            where.append(" and r.experiment_id = ?");
            params.add(f.experiment());
        }
        if (f.status() != null) {
            where.append(" and r.status = ?");
            params.add(f.status().name());
        }
        if (f.method() != null) {
            where.append(" and r.spec -> 'sparsity' ->> 'method' = ?");
            params.add(f.method());
        }
        if (f.owner() != null) {
            where.append(" and r.owner = ?");
            params.add(f.owner());
        }
        if (f.updatedAfter() != null) {
            where.append(" and r.updated_at > ?");
            params.add(Timestamp.from(f.updatedAfter()));
        }
        params.add(f.limit());
        return jdbc.sql("""
                        select r.id, r.experiment_id, r.experiment_name, r.owner, r.spec::text, r.seed,
                          r.grid_point::text, r.status, r.reason, r.stopped_early, r.created_at, r.started_at,
                          r.updated_at, r.test_accuracy, m.epoch, m.step, m.value, r.project_id, r.project_name
                        from (select r.id, r.experiment_id, e.name as experiment_name, r.owner, r.spec, r.seed,
                                r.grid_point, r.status, r.reason, r.stopped_early, r.created_at, r.ordinal,
                                r.started_at, r.updated_at, ev.test_accuracy, e.project_id, p.name as project_name
                              from runs r join experiments e on e.id = r.experiment_id
                              join projects p on p.id = e.project_id
                              left join evaluations ev on ev.run_id = r.id
                              where %s
                              order by r.created_at desc, r.ordinal limit ?) r
                        -- the last training accuracy of the listed runs only (after the limit, not of every match)
                        left join lateral (select epoch, step, value from run_metrics
                          where run_id = r.id and name = 'train.accuracy' order by step desc limit 1) m on true
                        order by r.created_at desc, r.ordinal""".formatted(where))
                .params(params)
                .query((rs, i) -> item(rs))
                .list();
    }

    private static Item item(ResultSet rs) throws SQLException {
        ExperimentSpec spec = EventCodec.decode(rs.getString(5), ExperimentSpec.class);
        int total = SparsitySchedule.totalEpochs(spec);
        long stepsPerEpoch = SparsitySchedule.stepsPerEpoch(spec);
        int epoch = rs.getInt(15);
        RunStatus status = RunStatus.valueOf(rs.getString(8));
        Instant started = instant(rs.getTimestamp(12));
        Double eta = null;
        if (status == RunStatus.RUNNING && started != null && epoch > 0) {
            double elapsed = Duration.between(started, Instant.now()).toMillis() / 1000.0;
            eta = Math.max(0, elapsed / epoch * (total - epoch));
        }
        double accuracy = rs.getDouble(17);
        Double trainAccuracy = rs.wasNull() ? null : accuracy;
        double test = rs.getDouble(14);
        Double testAccuracy = rs.getObject(14) == null ? null : test;
        return new Item(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getObject(18, UUID.class), rs.getString(19), rs.getString(4),
                spec.sparsity() == null ? "dense" : spec.sparsity().method(),
                spec.sparsity() == null ? 0 : spec.sparsity().target(), rs.getLong(6),
                rs.getString(7) == null ? null : EventCodec.mapper().readTree(rs.getString(7)), status, rs.getString(9), epoch, total,
                rs.getLong(16), total * stepsPerEpoch, trainAccuracy, testAccuracy, eta, rs.getBoolean(10),
                instant(rs.getTimestamp(11)), started, instant(rs.getTimestamp(13)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
