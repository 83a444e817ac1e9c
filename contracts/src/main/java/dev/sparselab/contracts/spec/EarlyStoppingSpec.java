package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Early stopping across a sweep: asynchronous successive halving (ASHA). Rung k of a run lies
 * {@code minEpochs * reductionFactor^k} epochs after the end of its sparsity schedule; a run that reaches
 * a rung continues only when its metric there is in the top {@code 1 / reductionFactor} of the values
 * recorded at that rung so far.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EarlyStoppingSpec(String type, String metric, String mode, Integer reductionFactor, Integer minEpochs) {
    public static final String ASHA = "asha";

    public EarlyStoppingSpec withDefaults() {
        return new EarlyStoppingSpec(type == null ? ASHA : type, metric == null ? "train.accuracy" : metric,
                mode == null ? "max" : mode, reductionFactor == null ? 3 : reductionFactor,
                minEpochs == null ? 1 : minEpochs);
    }
}
