package dev.sparselab.core.eval;

import java.util.List;

/**
 * What the evaluator measures of a conditional-computation model (transformer, or mlp with conditional blocks)
 * beyond accuracy and loss.
 *
 * @param task              {@code char-lm}, {@code associative-recall} or {@code classification}
 * @param bitsPerCharacter  char-lm: test cross-entropy in bits per byte (= per character for ASCII text)
 * @param perplexity        char-lm: exp(test cross-entropy in nats)
 * @param totalParameters   trainable parameters
 * @param activeParameters  parameters one token (mlp: one example) reads in its forward pass
 * @param activeFraction    active / total
 * @param attentionDensity  transformer: mean fraction of the causal query-key pairs attended
 * @param denseFlops        inference FLOPs per token (mlp: per example) computing every expert and pair
 * @param sparseFlops       the same, as routed and attended
 * @param blocks            per conditional block, its routing on the test split
 */
public record ConditionalReport(String task, Double bitsPerCharacter, Double perplexity, long totalParameters,
                                long activeParameters, double activeFraction, Double attentionDensity,
                                long denseFlops, long sparseFlops, List<Block> blocks) {

    /**
     * One conditional block on the test split.
     *
     * @param load            fraction of routed choices per expert (leaf for fff); null above 64 experts
     * @param droppedFraction choices dropped for capacity
     * @param imbalance       max load / mean load (1 = balanced)
     * @param coverage        fraction of experts (memories) used at least once
     */
    public record Block(String name, String kind, List<Double> load, double droppedFraction, double imbalance,
                        double coverage) {
    }
}
