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
 * @param n               nm: weights kept per group
 * @param m               nm: group size (consecutive input weights)
 * @param recipe          nm: {@code srste} or {@code decay}
 * @param lambdaW         nm/srste: the decay applied to pruned weights through the gradient
 * @param rate            imp: fraction of the remaining weights pruned per round
 * @param rewindStep      imp: the step whose weights survivors are reset to (0 = initialization)
 * @param lambda          l1 / group-lasso: regularization strength
 * @param calibrationBatches wanda: training batches used to measure input norms
 * @param pruneRate       snfs: initial prune rate (cosine-decayed to 0.005)
 * @param gammaSal        srigl: the salient fraction below which a neuron is ablated
 * @param k               topk-activation: entries kept per example and layer
 * @param fraction        topk-activation: kept fraction of the layer's width when k is not given
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
        Double regrowStd,
        Integer n,
        Integer m,
        String recipe,
        Double lambdaW,
        Double rate,
        Long rewindStep,
        Double lambda,
        Integer calibrationBatches,
        Double pruneRate,
        Double gammaSal,
        Integer k,
        Double fraction) {

    public static final String DENSE_METHOD = "dense";
    public static final String RANDOM = "random";
    public static final String MAGNITUDE = "magnitude";
    public static final String GMP = "gmp";
    public static final String SET = "set";
    public static final String RIGL = "rigl";
    public static final String NM = "nm";
    public static final String IMP = "imp";
    public static final String L1 = "l1";
    public static final String GROUP_LASSO = "group-lasso";
    public static final String WANDA = "wanda";
    public static final String NEURON = "neuron";
    public static final String CHANNEL = "channel";
    public static final String SNFS = "snfs";
    public static final String SRIGL = "srigl";
    public static final String TOPK_ACTIVATION = "topk-activation";
    public static final String RELU_THRESHOLD = "relu-threshold";
    /** Methods that train, prune once, then fine-tune with the mask fixed. */
    static final java.util.Set<String> FINETUNED = java.util.Set.of(MAGNITUDE, L1, GROUP_LASSO, NEURON, CHANNEL, WANDA);
    public static final SparsitySpec DENSE = of(DENSE_METHOD, 0.0).withDefaults();

    /** A spec with only method and target set. */
    public static SparsitySpec of(String method, double target) {
        return new SparsitySpec(method, target, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    SparsitySpec withDefaults() {
        String m0 = method == null ? DENSE_METHOD : method;
        boolean dense = DENSE_METHOD.equals(m0);
        boolean isNm = NM.equals(m0);
        String defaultDistribution = switch (m0) {
            case SET -> "er";
            case RIGL, SRIGL -> "erk";
            default -> "uniform";
        };
        boolean isGmp = GMP.equals(m0);
        boolean isRigl = RIGL.equals(m0) || SRIGL.equals(m0);
        boolean isTopk = TOPK_ACTIVATION.equals(m0);
        boolean isSet = SET.equals(m0);
        boolean isImp = IMP.equals(m0);
        int nn = n == null ? 2 : n;
        int mm = m == null ? 4 : m;
        List<String> dl = denseLayers == null ? (isImp ? List.of("last") : List.of()) : List.copyOf(denseLayers);
        return new SparsitySpec(
                m0,
                dense || isTopk ? 0.0 : isNm ? 1.0 - (double) nn / mm : (target == null ? 0.0 : target),
                dense || isNm || isTopk || RELU_THRESHOLD.equals(m0) ? null
                        : (distribution == null ? defaultDistribution : distribution),
                dense ? null : dl,
                MAGNITUDE.equals(m0) || isGmp ? (global != null && global) : null,
                FINETUNED.contains(m0) ? (finetuneEpochs == null ? (WANDA.equals(m0) ? 0 : 1) : finetuneEpochs) : null,
                isGmp ? (initialSparsity == null ? 0.0 : initialSparsity) : null,
                isGmp ? (beginStep == null ? 0L : beginStep) : null,
                isGmp ? endStep : null,
                isGmp ? (frequency == null ? 100 : frequency) : null,
                isRigl ? (deltaT == null ? 100 : deltaT) : null,
                isRigl ? (alpha == null ? 0.3 : alpha) : null,
                isRigl ? (stopFraction == null ? 0.75 : stopFraction) : null,
                isSet ? (zeta == null ? 0.3 : zeta) : null,
                isSet ? (regrowStd == null ? 0.01 : regrowStd) : null,
                isNm ? nn : null,
                isNm ? mm : null,
                isNm ? (recipe == null ? "srste" : recipe) : null,
                isNm ? (lambdaW == null ? 2e-4 : lambdaW) : null,
                isImp ? (rate == null ? 0.2 : rate) : null,
                isImp ? (rewindStep == null ? 0L : rewindStep) : null,
                L1.equals(m0) ? (Double) (lambda == null ? 1e-4 : lambda)
                        : GROUP_LASSO.equals(m0) ? (Double) (lambda == null ? 1e-3 : lambda) : null,
                WANDA.equals(m0) || RELU_THRESHOLD.equals(m0) ? (calibrationBatches == null ? 8 : calibrationBatches)
                        : null,
                SNFS.equals(m0) ? (pruneRate == null ? 0.5 : pruneRate) : null,
                SRIGL.equals(m0) ? (gammaSal == null ? 0.3 : gammaSal) : null,
                isTopk ? k : null,
                isTopk && k == null ? (fraction == null ? 0.1 : fraction) : null);
    }
}
