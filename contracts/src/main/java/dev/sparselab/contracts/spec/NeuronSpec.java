package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Structured pruning of whole neurons (rows of a Linear layer) after training, then fine-tuning.
 *
 * @param finetuneEpochs epochs of training with the mask fixed after pruning
 */
@JsonTypeName("neuron")
public record NeuronSpec(Double target, String distribution, List<String> denseLayers, Integer finetuneEpochs)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.neuron(this);
    }

    @Override
    public NeuronSpec withDefaults() {
        return new NeuronSpec(SparsitySpec.or(target, 0.0), SparsitySpec.or(distribution, "uniform"),
                SparsitySpec.layers(denseLayers), SparsitySpec.or(finetuneEpochs, 1));
    }

    @Override
    public int extraEpochs(int trainEpochs) {
        return finetuneEpochs;
    }
}
