package dev.sparselab.experiment.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.spec.Plan;
import dev.sparselab.contracts.spec.PlannedRun;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.db.ProcessedEvents;
import dev.sparselab.experiment.outbox.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** ASHA's rungs, promotions and its sparsity awareness, on fixed metric values. */
class AshaTest {
    static final SpecParser PARSER = new SpecParser();

    @Test
    void rungsLieAtGeometricDistancesAfterTheScheduleEnds() {
        // minEpochs 1, rf 3: rungs at 1, 3, 9, 27 epochs after the schedule's end
        assertThat(List.of(1, 2, 3, 4, 9, 27).stream().map(e -> Asha.rungAt(e, 0, 1, 3)).toList())
                .containsExactly(0, -1, 1, -1, 2, 3);
        // a schedule ending at epoch 6: nothing before epoch 7
        assertThat(List.of(1, 3, 6, 7, 9, 15).stream().map(e -> Asha.rungAt(e, 6, 1, 3)).toList())
                .containsExactly(-1, -1, -1, 0, 1, 2);
        assertThat(Asha.rungAt(4, 0, 2, 2)).isEqualTo(1);
    }

    @Test
    void onlyTheTopFractionAtARungIsPromoted() {
        // rf 3: a value must reach the 2/3 quantile of the values recorded so far (itself included)
        assertThat(Asha.promote(0.5, List.of(0.5), 3, true)).as("the first at a rung goes on").isTrue();
        assertThat(Asha.promote(0.4, List.of(0.5, 0.4), 3, true)).isFalse();
        assertThat(Asha.promote(0.6, List.of(0.5, 0.4, 0.6), 3, true)).isTrue();
        assertThat(Asha.promote(0.55, List.of(0.5, 0.4, 0.6, 0.55), 3, true)).isTrue();  // cutoff 0.55
        assertThat(Asha.promote(0.52, List.of(0.5, 0.4, 0.6, 0.55, 0.52), 3, true)).isFalse(); // cutoff 0.54
        // minimizing a loss: the small ones go on
        assertThat(Asha.promote(0.2, List.of(0.9, 0.5, 0.2), 3, false)).isTrue();
        assertThat(Asha.promote(0.9, List.of(0.5, 0.2, 0.9), 3, false)).isFalse();
    }

    @Test
    void gmpIsComparedOnlyAfterItsPruningEnds() {
        Plan plan = PARSER.plan("""
                {"name": "s", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [8]},
                 "training": {"epochs": 12, "batchSize": 100},
                 "sweep": {"grid": {"sparsity.method": ["rigl", "gmp", "magnitude", "dense"]},
                           "earlyStopping": {"type": "asha"}},
                 "sparsity": {"method": "dense", "target": 0.9}}""", false);
        List<Integer> ends = plan.runs().stream().map(r -> Asha.scheduleEndEpoch(r.spec())).toList();
        // GMP prunes until 75% of 12 epochs; magnitude prunes once after epoch 12
        assertThat(ends).containsExactly(0, 9, 12, 0);
        Plan explicit = PARSER.plan("""
                {"name": "s", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [8]},
                 "training": {"epochs": 12, "batchSize": 100},
                 "sparsity": {"method": "gmp", "target": 0.9, "endStep": 81}}""", false);
        assertThat(Asha.scheduleEndEpoch(explicit.runs().get(0).spec())).as("step 81 lies in epoch 3 of 40 steps")
                .isEqualTo(3);
    }

    @Test
    void aSweepStopsItsWorstRunsButNotGmpWhilePruning() throws Exception {
        SchedulerTest.start();
        JdbcClient jdbc = SchedulerTest.jdbc;
        try {
            jdbc.sql("truncate experiments, runs, outbox, asha_rungs cascade").update();
            Plan plan = PARSER.plan("""
                    {"name": "asha", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [8]},
                     "training": {"epochs": 12, "batchSize": 100},
                     "sparsity": {"method": "rigl", "target": 0.9},
                     "sweep": {"grid": {"sparsity.method": ["rigl", "set", "dense", "gmp"]},
                               "earlyStopping": {"type": "asha", "metric": "train.accuracy", "reductionFactor": 2,
                                                 "minEpochs": 1}}}""", false);
            ExperimentService service = new ExperimentService(jdbc, SchedulerTest.scheduler(jdbc,
                    SchedulerTest.pg.getPostgresDatabase(), 0, 0), e -> { }, new dev.sparselab.experiment.outbox.Outbox(jdbc));
            ExperimentService.Created created = SchedulerTest.tx.execute(t ->
                    service.submit(plan.spec(), plan.runs(), "ann", SchedulerTest.DEFAULT_PROJECT));
            List<UUID> runs = created.runs().stream().map(ExperimentService.CreatedRun::id).toList();
            jdbc.sql("update runs set status = 'RUNNING'").update();
            RunEventHandler handler = new RunEventHandler(jdbc, new ProcessedEvents(jdbc, "experiment-service"),
                    SchedulerTest.scheduler(jdbc, SchedulerTest.pg.getPostgresDatabase(), 0, 0),
                    new Asha(jdbc, new Outbox(jdbc)));
            // epoch 1 (rung 0 for rigl, set, dense): accuracies 0.8, 0.6, 0.7; gmp 0.3 while it prunes
            double[] epoch1 = {0.8, 0.6, 0.7, 0.3};
            for (int i = 0; i < 4; i++) {
                UUID run = runs.get(i);
                SchedulerTest.tx.executeWithoutResult(t -> handler.apply(new RunEvent.MetricsReported(run,
                        List.of(new MetricPoint("train.accuracy", 40, 1, epoch1[runs.indexOf(run)])))));
            }
            // rigl first: promoted; set below the median of {0.8, 0.6}: stopped; dense 0.7 vs median 0.7: goes on
            assertThat(stopped(jdbc)).containsExactly(runs.get(1));
            // a replayed epoch does not decide again
            SchedulerTest.tx.executeWithoutResult(t -> handler.apply(new RunEvent.MetricsReported(runs.get(2),
                    List.of(new MetricPoint("train.accuracy", 40, 1, 0.1)))));
            assertThat(stopped(jdbc)).containsExactly(runs.get(1));
            // gmp's first rung is epoch 10, after its pruning ends at epoch 9
            assertThat(jdbc.sql("select count(*) from asha_rungs where run_id = ?").param(runs.get(3))
                    .query(Long.class).single()).isZero();
            SchedulerTest.tx.executeWithoutResult(t -> handler.apply(new RunEvent.MetricsReported(runs.get(3),
                    List.of(new MetricPoint("train.accuracy", 400, 10, 0.95)))));
            assertThat(jdbc.sql("select rung, promoted from asha_rungs where run_id = ?").param(runs.get(3))
                    .query((rs, i) -> rs.getInt(1) + ":" + rs.getBoolean(2)).single()).isEqualTo("0:true");
        } finally {
            SchedulerTest.stop();
        }
    }

    static List<UUID> stopped(JdbcClient jdbc) {
        List<UUID> out = new ArrayList<>();
        jdbc.sql("""
                select aggregate_id from outbox where topic = 'sparselab.run.control'
                  and payload ->> 'action' = 'stop-early' order by id""")
                .query(String.class).list().forEach(id -> out.add(UUID.fromString(id)));
        return out;
    }
}
