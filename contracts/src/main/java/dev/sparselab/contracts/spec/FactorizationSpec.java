package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How an mlp's hidden weight matrices are parameterized (METHODS.md section 10): {@code dense};
 * {@code lowrank} W = UV of rank {@code rank}; {@code sparse-plus-lowrank} (SLTrain) W = UV + S with S on a
 * fixed random support of {@code density}; {@code monarch} W = P L P R, two block-diagonal factors of
 * {@code blocks} blocks with a fixed permutation between them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FactorizationSpec(String kind, Integer rank, Double density, Integer blocks) {
    public static final String DENSE = "dense";
    public static final String LOWRANK = "lowrank";
    public static final String SPARSE_PLUS_LOWRANK = "sparse-plus-lowrank";
    public static final String MONARCH = "monarch";

    FactorizationSpec withDefaults() {
        return switch (kind) {
            case LOWRANK -> new FactorizationSpec(kind, rank == null ? 32 : rank, null, null);
            case SPARSE_PLUS_LOWRANK -> new FactorizationSpec(kind, rank == null ? 32 : rank,
                    density == null ? 0.03 : density, null);
            case MONARCH -> new FactorizationSpec(kind, null, null, blocks == null ? 4 : blocks);
            default -> new FactorizationSpec(kind, null, null, null);
        };
    }
}
