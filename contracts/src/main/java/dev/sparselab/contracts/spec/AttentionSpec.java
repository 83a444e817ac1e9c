package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The causal self-attention pattern of a {@code transformer} (METHODS.md section 8): which earlier positions
 * each query may attend to.
 * <ul>
 *   <li>{@code dense}: every earlier position and itself;
 *   <li>{@code window}: the last {@code window} positions (itself included);
 *   <li>{@code strided} (Sparse Transformer): the last {@code stride} positions and every position j with
 *       (i - j) a multiple of {@code stride};
 *   <li>{@code bigbird}: blocks of {@code blockSize}: the query's own and previous block, the first
 *       {@code globalTokens} positions (which themselves attend to everything before them), and
 *       {@code randomBlocks} random earlier blocks per query block (fixed by the run's seed);
 *   <li>{@code topk}: all scores are computed, the {@code k} largest per query are kept.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AttentionSpec(String pattern, Integer window, Integer stride, Integer blockSize, Integer globalTokens,
                            Integer randomBlocks, Integer k) {
    public static final String DENSE = "dense";
    public static final AttentionSpec DEFAULT = new AttentionSpec(DENSE, null, null, null, null, null, null);

    AttentionSpec withDefaults() {
        return switch (pattern) {
            case "window" -> new AttentionSpec(pattern, window == null ? 16 : window, null, null, null, null, null);
            case "strided" -> new AttentionSpec(pattern, null, stride == null ? 8 : stride, null, null, null, null);
            case "bigbird" -> new AttentionSpec(pattern, null, null, blockSize == null ? 8 : blockSize,
                    globalTokens == null ? 1 : globalTokens, randomBlocks == null ? 1 : randomBlocks, null);
            case "topk" -> new AttentionSpec(pattern, null, null, null, null, null, k == null ? 8 : k);
            default -> new AttentionSpec(pattern, null, null, null, null, null, null);
        };
    }
}
