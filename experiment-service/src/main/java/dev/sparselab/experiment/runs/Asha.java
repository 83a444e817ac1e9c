package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunCancelRequested;
import dev.sparselab.contracts.spec.EarlyStoppingSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SparsitySchedule;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.experiment.outbox.Outbox;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Early stopping across a sweep: asynchronous successive halving (ASHA; Li et al., "A System for
 * Massively Parallel Hyperparameter Tuning", 2020), in its stopping form. Rung k of a run lies at epoch
 * {@code end + minEpochs * reductionFactor^k}, where {@code end} is the epoch at which the run's sparsity
 * schedule ends; when a run reports its metric at a rung epoch, the value is recorded, and the run goes on
 * only if it is at least the (1 - 1/reductionFactor) quantile of the values recorded at that rung so far
 * (for {@code mode: min}, at most the 1/reductionFactor quantile). A stopped run is told to stop at its next
 * epoch boundary; it completes, is evaluated, and is marked {@code stoppedEarly}.
 *
 * <p>Sparsity-aware: methods whose sparsity is fixed from the first step (dense, random, SET, RigL, SNFS,
 * SR-STE N:M, activation sparsity) are comparable from epoch 0; GMP only after its last pruning step; methods
 * that prune at the end of training (magnitude, IMP, Wanda, L1, structured) only in their fine-tuning
 * epochs. So GMP's accuracy dip while it prunes cannot get it stopped.
 */
@Service
class Asha {
    private static final Logger log = LoggerFactory.getLogger(Asha.class);

    private final JdbcClient jdbc;
    private final Outbox outbox;

    Asha(JdbcClient jdbc, Outbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /** The epoch after which a run's sparsity no longer changes by schedule (0: fixed from the start). */
    public static int scheduleEndEpoch(ExperimentSpec run) {
        SparsitySpec s = run.sparsity();
        return s == null ? 0 : s.scheduleEndEpoch(run.training().epochs(), SparsitySchedule.stepsPerEpoch(run));
    }

    /** The rung a run is at when it finished {@code epoch}, or -1 when that epoch is not a rung epoch. */
    static int rungAt(int epoch, int scheduleEnd, int minEpochs, int reductionFactor) {
        long offset = epoch - (long) scheduleEnd;
        long r = minEpochs;
        for (int k = 0; r <= offset; k++) {
            if (r == offset) {
                return k;
            }
            r *= reductionFactor;
        }
        return -1;
    }

    /**
     * Whether a value recorded at a rung continues: it must reach the (1 - 1/rf) quantile (linear
     * interpolation, as numpy's percentile) of every value recorded there, itself included.
     */
    static boolean promote(double value, List<Double> recorded, int reductionFactor, boolean maximize) {
        double[] v = recorded.stream().mapToDouble(x -> maximize ? x : -x).sorted().toArray();
        double q = 1.0 - 1.0 / reductionFactor;
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(v.length - 1, lo + 1);
        double cutoff = v[lo] + (v[hi] - v[lo]) * (pos - lo);
        return (maximize ? value : -value) >= cutoff;
    }

    /** Looks at a run's new metric points; decides at rung epochs. Called in the event's transaction. */
    void onMetrics(UUID runId, List<MetricPoint> points) {
        Optional<Object[]> row = jdbc.sql("""
                select r.experiment_id, e.spec::text, r.spec::text, r.status from runs r
                join experiments e on e.id = r.experiment_id
                where r.id = ? and e.spec -> 'sweep' -> 'earlyStopping' is not null""").param(runId)
                .query((rs, i) -> new Object[]{rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getString(4)})
                .optional();
        if (row.isEmpty()) {
            return;
        }
        EarlyStoppingSpec es = EventCodec.decode((String) row.get()[1], ExperimentSpec.class).sweep().earlyStopping()
                .withDefaults();
        ExperimentSpec run = EventCodec.decode((String) row.get()[2], ExperimentSpec.class);
        UUID experimentId = (UUID) row.get()[0];
        int end = scheduleEndEpoch(run);
        for (MetricPoint p : points) {
            if (!p.name().equals(es.metric())) {
                continue;
            }
            int rung = rungAt(p.epoch(), end, es.minEpochs(), es.reductionFactor());
            if (rung < 0 || !"RUNNING".equals(row.get()[3])) {
                continue;
            }
            decide(experimentId, runId, rung, p.epoch(), p.value(), es);
        }
    }

    private void decide(UUID experimentId, UUID runId, int rung, int epoch, double value, EarlyStoppingSpec es) {
        // one decision per (run, rung): a replayed or resumed epoch does not decide again
        jdbc.sql("select 1 from (select pg_advisory_xact_lock(hashtext(?::text))) l").param(experimentId.toString())
                .query(Integer.class).single();
        if (jdbc.sql("select count(*) from asha_rungs where experiment_id = ? and rung = ? and run_id = ?")
                .params(experimentId, rung, runId).query(Long.class).single() > 0) {
            return;
        }
        List<Double> recorded = new ArrayList<>(jdbc.sql(
                        "select value from asha_rungs where experiment_id = ? and rung = ?")
                .params(experimentId, rung).query(Double.class).list());
        recorded.add(value);
        boolean promoted = promote(value, recorded, es.reductionFactor(), !"min".equals(es.mode()));
        jdbc.sql("""
                insert into asha_rungs (experiment_id, rung, run_id, epoch, value, promoted)
                values (?, ?, ?, ?, ?, ?)""").params(experimentId, rung, runId, epoch, value, promoted).update();
        if (!promoted) {
            log.info("ASHA: run {} stops at rung {} (epoch {}): {} = {} is below the top 1/{} of {}", runId, rung,
                    epoch, es.metric(), value, es.reductionFactor(), Arrays.toString(recorded.toArray()));
            // kept on the run (a trainer reads it at every lease renewal) and sent on the control topic (fast path)
            jdbc.sql("update runs set stop_early_requested = true, updated_at = now() where id = ?").param(runId)
                    .update();
            outbox.append(Topics.RUN_CONTROL, "run", runId.toString(), RunCancelRequested.stopEarly(runId, "asha"));
        }
    }
}
