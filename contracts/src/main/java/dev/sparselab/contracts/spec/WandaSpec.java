package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Wanda: prune by |weight| x input norm, row by row, after training; or, with {@code n} and {@code m}, to N:M
 * (the n highest scores kept in every group of m consecutive inputs of a row; the paper's 2:4 and 4:8).
 *
 * @param target             the fraction pruned per row; with n and m it is 1 - n/m (a given target is replaced)
 * @param finetuneEpochs     epochs of training with the mask fixed after pruning (the paper: none)
 * @param calibrationBatches training batches used to measure input norms
 * @param n                  N:M variant: weights kept per group (null: unstructured, per row)
 * @param m                  N:M variant: group size, consecutive inputs of a row
 */
@JsonTypeName("wanda")
public record WandaSpec(Double target, String distribution, List<String> denseLayers, Integer finetuneEpochs,
                        Integer calibrationBatches, Integer n, Integer m) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.wanda(this);
    }

    @Override
    public WandaSpec withDefaults() {
        Double t = nm() ? 1.0 - (double) n / m : SparsitySpec.or(target, 0.0);
        return new WandaSpec(t, SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(finetuneEpochs, 0),
                SparsitySpec.or(calibrationBatches, 8), n, m);
    }

    /** Whether this is the N:M variant (n and m given). */
    @JsonIgnore
    public boolean nm() {
        return n != null && m != null;
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
