package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The feed-forward block of a {@code transformer} (or the conditional block after each hidden layer of an
 * {@code mlp}); METHODS.md section 7. Which fields apply depends on {@code kind}:
 * <ul>
 *   <li>{@code dense}: {@code hidden};
 *   <li>{@code moe}: {@code experts}, {@code k} (2), {@code hidden} per expert, {@code noise}, {@code auxWeight}
 *       (0.01), {@code capacityFactor} (none: no token is dropped);
 *   <li>{@code switch}: top-1 routing, {@code capacityFactor} (1.25; overflow tokens pass through the residual),
 *       {@code auxWeight} (0.01);
 *   <li>{@code hash}: expert = fixed table[token id], {@code hashTable} {@code random} or {@code balanced}
 *       (by training-token frequency); no router;
 *   <li>{@code base}: balanced assignment by an auction in training (every expert exactly T/E tokens), greedy
 *       top-1 at evaluation;
 *   <li>{@code pkm}: product-key memory: {@code heads} (4), {@code k} (32), {@code keys} sub-keys per half (512),
 *       {@code keyDim} (query width per head), {@code queryBatchNorm} (true: batch normalization of the query, as
 *       Lample et al. use it to spread the key usage);
 *   <li>{@code peer}: the same retrieval over {@code keys}^2 single-neuron experts, {@code heads} (8),
 *       {@code k} (16), {@code queryBatchNorm} (true);
 *   <li>{@code fff}: a routing tree of {@code depth} (3) choosing one leaf FFN of {@code hidden} units;
 *       {@code hardening} (0.1): the weight of the mean entropy of the routing decisions added to the training loss
 *       (Belcak and Wattenhofer's reference), so that training's soft mixture and the hard path agree.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FfnSpec(String kind, Integer hidden, Integer experts, Integer k, Double capacityFactor,
                      Double auxWeight, Boolean noise, String hashTable, Integer heads, Integer keys, Integer keyDim,
                      Integer depth, Boolean queryBatchNorm, Double hardening) {
    /** A block of a kind and hidden width, everything else by default. */
    public FfnSpec(String kind, Integer hidden) {
        this(kind, hidden, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public static final String DENSE = "dense";
    public static final String MOE = "moe";
    public static final String SWITCH = "switch";
    public static final String HASH = "hash";
    public static final String BASE = "base";
    public static final String PKM = "pkm";
    public static final String PEER = "peer";
    public static final String FFF = "fff";

    /** Whether tokens are routed to experts of a fixed set (load, drops and aux loss are reported). */
    public boolean routed() {
        return MOE.equals(kind) || SWITCH.equals(kind) || HASH.equals(kind) || BASE.equals(kind);
    }

    /** Product-key retrieval (pkm, peer). */
    public boolean productKeys() {
        return PKM.equals(kind) || PEER.equals(kind);
    }

    FfnSpec withDefaults(int width) {
        boolean routed = routed();
        boolean pk = productKeys();
        boolean moe = MOE.equals(kind);
        boolean pkm = PKM.equals(kind);
        Integer h = pk ? null : or(hidden, FFF.equals(kind) || routed ? width : 4 * width);
        Integer kk = moe ? or(k, 2) : SWITCH.equals(kind) ? Integer.valueOf(1) : pk ? or(k, pkm ? 32 : 16) : null;
        Double capacity = SWITCH.equals(kind) ? (capacityFactor == null ? Double.valueOf(1.25) : capacityFactor)
                : moe || HASH.equals(kind) ? capacityFactor : null;
        Double aux = moe || SWITCH.equals(kind) ? (auxWeight == null ? Double.valueOf(0.01) : auxWeight) : null;
        return new FfnSpec(kind, h, routed ? or(experts, 8) : null, kk, capacity, aux,
                moe ? (noise == null ? Boolean.TRUE : noise) : null,
                HASH.equals(kind) ? (hashTable == null ? "random" : hashTable) : null,
                pk ? or(heads, pkm ? 4 : 8) : null,
                pk ? or(keys, pkm ? 512 : 128) : null,
                pk ? or(keyDim, width) : null,
                FFF.equals(kind) ? or(depth, 3) : null,
                pk ? (queryBatchNorm == null ? Boolean.TRUE : queryBatchNorm) : null,
                FFF.equals(kind) ? (hardening == null ? Double.valueOf(0.1) : hardening) : null);
    }

    private static Integer or(Integer value, int otherwise) {
        return value == null ? Integer.valueOf(otherwise) : value;
    }
}
