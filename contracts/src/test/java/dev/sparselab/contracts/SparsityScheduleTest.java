package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SparsitySchedule;
import dev.sparselab.contracts.spec.SpecParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparsityScheduleTest {
    static ExperimentSpec run(String sparsity) {
        return new SpecParser().plan("""
                {"name": "s", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [8]},
                 "training": {"epochs": 4, "batchSize": 100}, "sparsity": %s}""".formatted(sparsity), false)
                .runs().get(0).spec();
    }

    static double at(SparsitySchedule.Plan plan, long step) {
        return plan.points().stream().filter(p -> p.step() == step).findFirst().orElseThrow().sparsity();
    }

    @Test
    void gmpFollowsTheCubicRampToItsEnd() {
        // 4 epochs of 40 steps; pruning from step 0 to 75% of 160 = 120
        SparsitySchedule.Plan plan = SparsitySchedule.of(run("{\"method\": \"gmp\", \"target\": 0.8}"), 160);
        assertThat(plan.totalSteps()).isEqualTo(160);
        assertThat(plan.stepsPerEpoch()).isEqualTo(40);
        assertThat(at(plan, 0)).isEqualTo(0.0);
        assertThat(at(plan, 60)).isCloseTo(0.8 * (1 - Math.pow(0.5, 3)), within(1e-12));
        assertThat(at(plan, 120)).isCloseTo(0.8, within(1e-12));
        assertThat(at(plan, 160)).isCloseTo(0.8, within(1e-12));
        List<Double> s = plan.points().stream().map(SparsitySchedule.Point::sparsity).toList();
        for (int i = 1; i < s.size(); i++) {
            assertThat(s.get(i)).isGreaterThanOrEqualTo(s.get(i - 1));
        }
    }

    @Test
    void oneShotPruningJumpsAfterTrainingAndFineTunes() {
        SparsitySchedule.Plan plan = SparsitySchedule.of(run("{\"method\": \"magnitude\", \"target\": 0.9}"), 50);
        assertThat(plan.trainEpochs()).isEqualTo(4);
        assertThat(plan.totalEpochs()).isEqualTo(5); // one fine-tuning epoch by default
        assertThat(at(plan, 159)).isEqualTo(0.0);
        assertThat(at(plan, 160)).isEqualTo(0.9);
    }

    @Test
    void impPrunesRoundByRound() {
        // rate 0.5 to 0.75: two rounds, each retraining 4 epochs
        SparsitySchedule.Plan plan = SparsitySchedule.of(run("{\"method\": \"imp\", \"target\": 0.75, \"rate\": 0.5}"),
                100);
        assertThat(plan.totalEpochs()).isEqualTo(12);
        assertThat(at(plan, 100)).isEqualTo(0.0);
        assertThat(at(plan, 160)).isEqualTo(0.5);
        assertThat(at(plan, 320)).isEqualTo(0.75);
    }

    @Test
    void riglKeepsItsSparsityAndDecaysItsUpdateFraction() {
        SparsitySchedule.Plan plan = SparsitySchedule.of(run("{\"method\": \"rigl\", \"target\": 0.9}"), 160);
        assertThat(plan.points()).allSatisfy(p -> assertThat(p.sparsity()).isEqualTo(0.9));
        SparsitySchedule.Point early = plan.points().get(1);
        assertThat(early.updateFraction()).isCloseTo(0.15 * (1 + Math.cos(Math.PI * early.step() / 120.0)),
                within(1e-12));
        assertThat(plan.points().get(plan.points().size() - 1).updateFraction()).isEqualTo(0.0);
        assertThat(SparsitySchedule.of(run("{\"method\": \"dense\"}"), 10).points())
                .allSatisfy(p -> assertThat(p.sparsity()).isZero());
    }
}
