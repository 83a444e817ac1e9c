package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How the network is made sparse. One flat record for every method; the spec schema allows each
 * method only its own parameters, and {@link #withDefaults()} fills in that method's defaults (the
 * same values the schema publishes, see {@code sparselab/spec.schema.json}).
 *
 * @param method          {@code dense}, {@code random}, {@code magnitude}, {@code gmp}, {@code set}, {@code rigl}
 * @param target          the final fraction of zero weights over the sparsified layers, in [0, 1)
 * @param distribution    how the target is spread over layers: {@code uniform}, {@code er}, {@code erk}
 * @param denseLayers     layers kept dense: names ({@code fc1}) or {@code first} / {@code last}
 * @param global          rank magnitudes across all layers at once instead of per layer (magnitude, gmp)
 * @param finetuneEpochs  magnitude: epochs of training with the mask fixed after pruning
 * @param initialSparsity gmp: S_i, the sparsity at {@code beginStep}
 * @param beginStep       gmp: first pruning step
 * @param endStep         gmp: last pruning step (default: 75% of training)
 * @param frequency       gmp: steps between pruning events
 * @param deltaT          rigl: steps between mask updates
 * @param alpha           rigl: initial fraction of active connections updated
 * @param stopFraction    rigl: fraction of training after which the mask is frozen
 * @param zeta            set: fraction of positive and of negative weights removed after each epoch
 * @param regrowStd       set: standard deviation of the normal distribution regrown weights are drawn from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SparsitySpec(
        String method,
        Double target,
        String distribution,
        List<String> denseLayers,
        Boolean global,
        Integer finetuneEpochs,
        Double initialSparsity,
        Long beginStep,
        Long endStep,
        Integer frequency,
        Integer deltaT,
        Double alpha,
        Double stopFraction,
        Double zeta,
        Double regrowStd) {

    public static final String DENSE_METHOD = "dense";
    public static final String RANDOM = "random";
    public static final String MAGNITUDE = "magnitude";
    public static final String GMP = "gmp";
    public static final String SET = "set";
    public static final String RIGL = "rigl";
    public static final SparsitySpec DENSE = of(DENSE_METHOD, 0.0).withDefaults();

    /** A spec with only method and target set. */
    public static SparsitySpec of(String method, double target) {
        return new SparsitySpec(method, target, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    SparsitySpec withDefaults() {
        String m = method == null ? DENSE_METHOD : method;
        boolean dense = DENSE_METHOD.equals(m);
        String defaultDistribution = switch (m) {
            case SET -> "er";
            case RIGL -> "erk";
            default -> "uniform";
        };
        boolean isGmp = GMP.equals(m);
        boolean isRigl = RIGL.equals(m);
        boolean isSet = SET.equals(m);
        return new SparsitySpec(
                m,
                dense ? 0.0 : (target == null ? 0.0 : target),
                dense ? null : (distribution == null ? defaultDistribution : distribution),
                dense ? null : (denseLayers == null ? List.of() : List.copyOf(denseLayers)),
                MAGNITUDE.equals(m) || isGmp ? (global != null && global) : null,
                MAGNITUDE.equals(m) ? (finetuneEpochs == null ? 1 : finetuneEpochs) : null,
                isGmp ? (initialSparsity == null ? 0.0 : initialSparsity) : null,
                isGmp ? (beginStep == null ? 0L : beginStep) : null,
                isGmp ? endStep : null,
                isGmp ? (frequency == null ? 100 : frequency) : null,
                isRigl ? (deltaT == null ? 100 : deltaT) : null,
                isRigl ? (alpha == null ? 0.3 : alpha) : null,
                isRigl ? (stopFraction == null ? 0.75 : stopFraction) : null,
                isSet ? (zeta == null ? 0.3 : zeta) : null,
                isSet ? (regrowStd == null ? 0.01 : regrowStd) : null);
    }
}
