package dev.sparselab.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The RigL paper's training-FLOP count, step by step. */
class FlopCounterTest {
    @Test
    void aSparseStepCostsThreeSparsePassesAndADenseGradientStepTwoSparseAndOneDense() {
        FlopCounter c = new FlopCounter();
        c.countStep(10, 100, 1000, false); // 10 x (2 x 100 + 100)
        assertThat(c.total()).isEqualTo(3000);
        c.countStep(10, 100, 1000, true); // 10 x (2 x 100 + 1000)
        assertThat(c.total()).isEqualTo(3000 + 12000);
        c.restore(5);
        c.countStep(1, 1, 1, false);
        assertThat(c.total()).isEqualTo(8);
    }
}
