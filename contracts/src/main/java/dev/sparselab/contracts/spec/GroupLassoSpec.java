package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Group lasso over neurons during training, then pruning the weakest neurons and fine-tuning.
 *
 * @param finetuneEpochs epochs of training with the mask fixed after pruning
 * @param lambda         regularization strength
 */
@JsonTypeName("group-lasso")
public record GroupLassoSpec(Double target, String distribution, List<String> denseLayers, Integer finetuneEpochs,
                     Double lambda) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.groupLasso(this);
    }

    @Override
    public GroupLassoSpec withDefaults() {
        return new GroupLassoSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(finetuneEpochs, 1), SparsitySpec.or(lambda, 1e-3));
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
