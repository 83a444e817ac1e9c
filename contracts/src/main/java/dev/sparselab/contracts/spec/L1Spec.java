package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * L1 regularization during training, then pruning the smallest weights and fine-tuning.
 *
 * @param finetuneEpochs epochs of training with the mask fixed after pruning
 * @param lambda         regularization strength
 */
@JsonTypeName("l1")
public record L1Spec(Double target, String distribution, List<String> denseLayers, Integer finetuneEpochs,
                     Double lambda) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.l1(this);
    }

    @Override
    public L1Spec withDefaults() {
        return new L1Spec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(finetuneEpochs, 1), SparsitySpec.or(lambda, 1e-4));
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
