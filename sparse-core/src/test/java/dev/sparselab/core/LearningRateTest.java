package dev.sparselab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.core.optim.LearningRate;
import org.junit.jupiter.api.Test;

class LearningRateTest {
    static OptimizerSpec schedule(String schedule, long warmup, Long stepSize, Double gamma) {
        return new OptimizerSpec("sgd", 0.1, 0.9, false, 0.0, null, null, null, schedule, warmup, stepSize, gamma);
    }

    @Test
    void warmupThenStepDecay() {
        LearningRate lr = new LearningRate(schedule("step", 10, 100L, 0.5), 1000);
        assertThat(lr.at(1)).isCloseTo(0.01f, within(1e-7f));
        assertThat(lr.at(10)).isCloseTo(0.1f, within(1e-7f));
        assertThat(lr.at(109)).isCloseTo(0.1f, within(1e-7f));
        assertThat(lr.at(110)).isCloseTo(0.05f, within(1e-7f));
        assertThat(lr.at(310)).isCloseTo(0.0125f, within(1e-7f));
    }

    @Test
    void cosineReachesZeroAtTheLastStep() {
        LearningRate lr = new LearningRate(schedule("cosine", 0, null, null), 200);
        assertThat(lr.at(100)).isCloseTo(0.05f, within(1e-6f));
        assertThat(lr.at(200)).isCloseTo(0f, within(1e-7f));
        assertThat(new LearningRate(schedule("constant", 0, null, null), 200).at(150)).isEqualTo(0.1f);
    }
}
