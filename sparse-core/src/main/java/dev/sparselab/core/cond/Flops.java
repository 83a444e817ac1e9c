package dev.sparselab.core.cond;

import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.FfnSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import java.util.List;

/**
 * Inference FLOPs per token (transformer) or per example (mlp), a multiply-add counted as 2 FLOPs as
 * elsewhere: 2 x the weights a token's matmuls read, plus attention's 4 d FLOPs per attended (query, key)
 * pair (scores and values). Sparse: the weights routing activates and the pairs the pattern attends (topk
 * scores every causal pair, then aggregates k); dense: every expert / memory / leaf, every causal pair.
 * Embedding lookups, norms and softmaxes are not counted.
 *
 * <p>Layer-local training (METHODS.md section 9) has no output layer and no end-to-end backward pass; with f_l =
 * 2 (in * out + out) the FLOPs of hidden layer l and p_l = 2 (out * classes + classes) those of a mono-forward
 * projection:
 * <ul>
 *   <li>forward-forward infers with one pass per label: classes * sum f_l; it trains on a positive and a
 *       negative pass, each a forward and a weight gradient (inputs are detached): 4 * sum f_l per example;
 *   <li>mono-forward infers through the hidden layers and the last projection: sum f_l + p_last; it trains every
 *       layer (forward, weight gradient) and every projection (forward, weight gradient, gradient to its
 *       layer): sum (2 f_l + 3 p_l).
 * </ul>
 * Otherwise training costs 3x inference per example (forward, backward to activations, weight gradients), with
 * the routed path's FLOPs, except for fast feedforward layers, which train on a soft mixture of all leaves: their
 * training is dense.
 */
public final class Flops {
    private Flops() {
    }

    public record PerToken(long dense, long sparse) {
    }

    public static PerToken of(ModelSpec m, TrainingSpec t, int inputs, int classes, List<Double> densities) {
        if (t.local()) {
            long[] f = local(m, t, inputs, classes);
            long inference = TrainingSpec.FORWARD_FORWARD.equals(t.algorithm()) ? classes * f[0] : f[0] + f[2];
            return new PerToken(inference, inference);
        }
        if (!ModelSpec.TRANSFORMER.equals(m.type())) {
            ConditionalSize.Count c = ConditionalSize.mlp(m, inputs, classes);
            return new PerToken(2 * c.total(), 2 * c.active());
        }
        long d = m.width();
        int context = m.context();
        double causalPerQuery = (context + 1) / 2.0;
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

    /** Training FLOPs per row (example or token): dense (every path) and as trained (the routed paths). */
    public static PerToken training(ModelSpec m, TrainingSpec t, int inputs, int classes, PerToken inference) {
        if (t.local()) {
            long[] f = local(m, t, inputs, classes);
            long perExample = TrainingSpec.FORWARD_FORWARD.equals(t.algorithm()) ? 4 * f[0] : 2 * f[0] + 3 * f[1];
            return new PerToken(perExample, perExample);
        }
        boolean soft = m.ffn() != null && FfnSpec.FFF.equals(m.ffn().kind());
        return new PerToken(3 * inference.dense(), 3 * (soft ? inference.dense() : inference.sparse()));
    }

    /** Sum of f_l over the hidden layers, sum of p_l over the projections, and p of the last projection. */
    private static long[] local(ModelSpec m, TrainingSpec t, int inputs, int classes) {
        long layers = 0;
        long projections = 0;
        long last = 0;
        long in = inputs;
        boolean mono = TrainingSpec.MONO_FORWARD.equals(t.algorithm());
        for (int units : m.hidden()) {
            layers += 2 * (in * units + units);
            if (mono) {
                last = 2 * ((long) units * classes + classes);
                projections += last;
            }
            in = units;
        }
        return new long[]{layers, projections, last};
    }
}
