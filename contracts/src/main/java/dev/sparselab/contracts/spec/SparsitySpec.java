package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How the network is made sparse.
 *
 * @param method         {@code dense}, {@code random} (a static mask drawn at initialization) or
 *                       {@code magnitude} (one-shot pruning of the smallest |W| after training)
 * @param target         the fraction of zero weights in every sparsified (Linear weight) layer, in [0, 1)
 * @param finetuneEpochs epochs of training with the mask fixed after one-shot pruning (default 1)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SparsitySpec(String method, Double target, Integer finetuneEpochs) {
    public static final String DENSE_METHOD = "dense";
    public static final String RANDOM = "random";
    public static final String MAGNITUDE = "magnitude";
    public static final SparsitySpec DENSE = new SparsitySpec(DENSE_METHOD, 0.0, 0);

    SparsitySpec withDefaults() {
        String m = method == null ? DENSE_METHOD : method;
        double t = DENSE_METHOD.equals(m) ? 0.0 : (target == null ? 0.0 : target);
        int ft = MAGNITUDE.equals(m) ? (finetuneEpochs == null ? 1 : finetuneEpochs) : 0;
        return new SparsitySpec(m, t, ft);
    }
}
