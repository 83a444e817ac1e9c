package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * One-shot magnitude pruning after training, then fine-tuning with the mask fixed.
 *
 * @param global         rank magnitudes across all layers at once instead of per layer
 * @param finetuneEpochs epochs of training with the mask fixed after pruning
 */
@JsonTypeName("magnitude")
public record MagnitudeSpec(Double target, String distribution, List<String> denseLayers, Boolean global,
                            Integer finetuneEpochs) implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.magnitude(this);
    }

    @Override
    public MagnitudeSpec withDefaults() {
        return new MagnitudeSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(global, false), SparsitySpec.or(finetuneEpochs, 1));
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
