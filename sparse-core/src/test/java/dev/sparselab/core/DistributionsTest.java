package dev.sparselab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.core.sparsity.Distributions;
import dev.sparselab.core.sparsity.LayerShape;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DistributionsTest {
    static final List<LayerShape> LENET300 = List.of(
            new LayerShape("fc1", new int[]{300, 784}),
            new LayerShape("fc2", new int[]{100, 300}),
            new LayerShape("fc3", new int[]{10, 100}));

    static long total(Map<String, Integer> zeros) {
        return zeros.values().stream().mapToLong(Integer::longValue).sum();
    }

    @ParameterizedTest
    @CsvSource({"uniform, 0.9", "er, 0.9", "erk, 0.9", "erk, 0.5", "er, 0.99", "uniform, 0.37"})
    void zerosAddUpToExactlyTheTarget(String distribution, double s) {
        Map<String, Integer> zeros = Distributions.zeros(LENET300, s, distribution, Set.of());
        long n = LENET300.stream().mapToLong(LayerShape::count).sum();
        assertThat(total(zeros)).isEqualTo(Math.round(s * n));
    }

    @Test
    void erkGivesSmallLayersMoreDensityAndSolvesToTheTarget() {
        Map<String, Double> d = Distributions.densities(LENET300, 0.9, "erk", Set.of());
        // eps = 0.1 * 266200 / (1084 + 400 + 110) = 16.7 would give fc3 a density of 1.84: fc3 becomes dense,
        // and eps is solved again over fc1 and fc2 for the remaining 26620 - 1000 non-zeros
        double eps = (0.1 * 266_200 - 1000) / (1084 + 400);
        assertThat(d.get("fc3")).isEqualTo(1.0);
        assertThat(d.get("fc1")).isCloseTo(eps * 1084 / 235_200.0, within(1e-12));
        assertThat(d.get("fc2")).isCloseTo(eps * 400 / 30_000.0, within(1e-12));
        assertThat(d.get("fc2")).isGreaterThan(d.get("fc1"));
        double nonZeros = d.get("fc1") * 235_200 + d.get("fc2") * 30_000 + d.get("fc3") * 1000;
        assertThat(nonZeros).isCloseTo(26_620, within(1e-6));
    }

    @Test
    void aLayerThatWouldExceedDensityOneIsMadeDenseAndTheRestResolved() {
        List<LayerShape> layers = List.of(new LayerShape("big", new int[]{1000, 1000}),
                new LayerShape("small", new int[]{10, 10}));
        Map<String, Double> d = Distributions.densities(layers, 0.5, "erk", Set.of());
        assertThat(d.get("small")).isEqualTo(1.0);
        assertThat(d.get("big")).isCloseTo((0.5 * 1_000_100 - 100) / 1_000_000, within(1e-12));
        Map<String, Integer> zeros = Distributions.zeros(layers, 0.5, "erk", Set.of());
        assertThat(zeros.get("small")).isZero();
        assertThat(total(zeros)).isEqualTo(500_050);
    }

    @Test
    void denseLayersStayDenseAndTheOthersCarryTheTarget() {
        Set<String> dense = Distributions.denseSet(LENET300, List.of("first", "last"));
        assertThat(dense).containsExactlyInAnyOrder("fc1", "fc3");
        Map<String, Integer> zeros = Distributions.zeros(LENET300, 0.9, "erk", dense);
        assertThat(zeros.get("fc1")).isZero();
        assertThat(zeros.get("fc3")).isZero();
        assertThat(zeros.get("fc2")).isEqualTo(27_000);
        assertThatThrownBy(() -> Distributions.denseSet(LENET300, List.of("fc9")))
                .hasMessageContaining("fc9").hasMessageContaining("fc1");
    }

    @Test
    void erUsesFanInPlusFanOut() {
        Map<String, Double> d = Distributions.densities(LENET300, 0.8, "er", Set.of());
        assertThat(d.get("fc1") / d.get("fc2")).isCloseTo(((300 + 784) / 235200.0) / ((100 + 300) / 30000.0),
                within(1e-9));
    }
}
