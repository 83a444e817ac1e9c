package dev.sparselab.experiment.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void meanStdAndConfidenceIntervalOnFixedNumbers() {
        // 0.80, 0.82, 0.84: mean 0.82, sample std 0.02, half-width t(0.975, 2) * 0.02 / sqrt(3) = 4.303 * 0.011547
        Stats s = Stats.of(List.of(0.80, 0.82, 0.84));
        assertThat(s.n()).isEqualTo(3);
        assertThat(s.mean()).isCloseTo(0.82, within(1e-12));
        assertThat(s.std()).isCloseTo(0.02, within(1e-12));
        assertThat(s.ci95()[0]).isCloseTo(0.82 - 4.303 * 0.02 / Math.sqrt(3), within(1e-12));
        assertThat(s.ci95()[1]).isCloseTo(0.82 + 4.303 * 0.02 / Math.sqrt(3), within(1e-12));
    }

    @Test
    void oneValueHasNoInterval() {
        Stats s = Stats.of(List.of(5.0));
        assertThat(s.mean()).isEqualTo(5.0);
        assertThat(s.std()).isZero();
        assertThat(s.ci95()).isNull();
        assertThat(Stats.of(List.of()).n()).isZero();
    }

    @Test
    void largeSamplesUseTheNormalLimit() {
        assertThat(Stats.t975(30)).isEqualTo(2.042);
        assertThat(Stats.t975(1000)).isCloseTo(1.962, within(0.001));
        assertThat(Stats.t975(60)).isCloseTo(2.000, within(0.002));
    }

    @Test
    void paretoFrontKeepsTheUndominated() {
        double[] accuracy = {0.90, 0.85, 0.88, 0.80, 0.88};
        double[] flops = {100, 10, 50, 20, 60};
        // 3 is dominated by 1 (more accurate, cheaper); 4 by 2 (same accuracy, cheaper)
        assertThat(ParetoFront.of(accuracy, flops)).containsExactly(1, 2, 0);
    }
}
