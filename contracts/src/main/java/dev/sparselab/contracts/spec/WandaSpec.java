package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Wanda: prune by |weight| x input norm, row by row, after training.
 *
 * @param finetuneEpochs     epochs of training with the mask fixed after pruning (the paper: none)
 * @param calibrationBatches training batches used to measure input norms
 */
@JsonTypeName("wanda")
public record WandaSpec(Double target, String distribution, List<String> denseLayers, Integer finetuneEpochs,
                        Integer calibrationBatches) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.wanda(this);
    }

    @Override
    public WandaSpec withDefaults() {
        return new WandaSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(finetuneEpochs, 0),
                SparsitySpec.or(calibrationBatches, 8));
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
