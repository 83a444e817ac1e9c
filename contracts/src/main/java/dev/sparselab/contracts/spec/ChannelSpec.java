package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Structured pruning of whole convolution channels after training, then fine-tuning.
 *
 * @param finetuneEpochs epochs of training with the mask fixed after pruning
 */
@JsonTypeName("channel")
public record ChannelSpec(Double target, String distribution, List<String> denseLayers, Integer finetuneEpochs)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.channel(this);
    }

    @Override
    public ChannelSpec withDefaults() {
        return new ChannelSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(finetuneEpochs, 1));
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
