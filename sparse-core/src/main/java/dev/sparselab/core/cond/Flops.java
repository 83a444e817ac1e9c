package dev.sparselab.core.cond;

import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.ModelSpec;
import java.util.List;

/**
 * Inference FLOPs per token (transformer) or per example (mlp), a multiply-add counted as 2 FLOPs as
 * elsewhere: 2 x the weights a token's matmuls read, plus attention's 4 d FLOPs per attended (query, key)
 * pair (scores and values). Sparse: the weights routing activates and the pairs the pattern attends (topk
 * scores every causal pair, then aggregates k); dense: every expert / memory / leaf, every causal pair.
 * Embedding lookups, norms and softmaxes are not counted.
 */
public final class Flops {
    private Flops() {
    }

    public record PerToken(long dense, long sparse) {
    }

    public static PerToken of(ModelSpec m, int inputs, int classes, List<Double> densities) {
        if (!ModelSpec.TRANSFORMER.equals(m.type())) {
            ConditionalSize.Count c = ConditionalSize.mlp(m, inputs, classes);
            return new PerToken(2 * c.total(), 2 * c.active());
        }
        long d = m.width();
        int t = m.context();
        double causalPerQuery = (t + 1) / 2.0;
        ConditionalSize.Count ffn = ConditionalSize.ffn(m.ffn(), (int) d);
        double dense = 0;
        double sparse = 0;
        for (int l = 0; l < m.depth(); l++) {
            double projections = 2.0 * 4 * d * d;
            double density = densities.isEmpty() ? 1 : densities.get(l);
            double pairs = "topk".equals(m.attention().pattern())
                    ? causalPerQuery / 2 + density * causalPerQuery / 2 // all scores, k values
                    : density * causalPerQuery;
            dense += projections + 4 * d * causalPerQuery + 2.0 * ffn.total();
            sparse += projections + 4 * d * pairs + 2.0 * ffn.active();
        }
        dense += 2.0 * d * inputs;
        sparse += 2.0 * d * inputs;
        return new PerToken(Math.round(dense), Math.round(sparse));
    }
}
