package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.spec.SparsitySpec;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What each method's record says of its schedule: the facts ASHA and the plan preview rely on. */
class SparsityFactsTest {
    static final Set<String> FROM_START = Set.of("dense", "random", "set", "rigl", "snfs", "srigl", "nm",
            "topk-activation", "relu-threshold");
    /** Epochs after 4 training epochs: fine-tuning (1 by default, Wanda none) or IMP's rounds (50% in 20% steps: 4). */
    static final Map<String, Integer> EXTRA = Map.of("magnitude", 1, "l1", 1, "group-lasso", 1, "neuron", 1,
            "channel", 1, "wanda", 0, "imp", 16);

    @Test
    void everyMethodSaysWhenItsSparsityStopsChanging() {
        for (String method : SparsitySpec.names()) {
            SparsitySpec s = SparsitySpec.of(method, 0.5).withDefaults();
            int end = s.scheduleEndEpoch(4, 10);
            if (FROM_START.contains(method)) {
                assertThat(end).as(method).isZero();
            } else if (method.equals("gmp")) {
                assertThat(end).as(method).isEqualTo(3); // the last pruning step, 75% of 40 steps, is in epoch 3
            } else {
                assertThat(end).as(method).isEqualTo(4); // pruned at the end of training
            }
            assertThat(s.extraEpochs(4)).as(method).isEqualTo(EXTRA.getOrDefault(method, 0));
        }
    }

    @Test
    void plannedWeightSparsityFollowsTheMethod() {
        for (String method : SparsitySpec.names()) {
            SparsitySpec s = SparsitySpec.of(method, 0.5).withDefaults();
            boolean activationOnly = method.equals("topk-activation") || method.equals("relu-threshold")
                    || method.equals("dense");
            double start = s.sparsityAt(1, 40);
            double end = s.sparsityAt(1000, 40);
            if (activationOnly) {
                assertThat(start).as(method).isZero();
                assertThat(end).as(method).isZero();
            } else if (FROM_START.contains(method)) {
                assertThat(start).as(method).isEqualTo(s.target());
            } else if (!method.equals("imp")) {
                assertThat(start).as(method).isLessThan(end);
                assertThat(end).as(method).isEqualTo(0.5);
            }
        }
        assertThat(SparsitySpec.of("nm", 0).withDefaults().sparsityAt(0, 40)).isEqualTo(0.5); // 2:4
    }
}
