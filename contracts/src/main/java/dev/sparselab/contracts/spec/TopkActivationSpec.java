package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Activation sparsity: keep the k largest activations per example and layer.
 *
 * <p>The schema admits the common parameters for every method; those ignored here are accepted and dropped.
 *
 * @param target   always 0 (the weights stay dense)
 * @param k        entries kept per example and layer (of a conv layer's channels times positions)
 * @param fraction kept fraction of the layer's activations per example when k is not given (a conv layer's
 *                 channels times positions: LeNet-5's conv1 at 0.1 keeps 470 of its 4,704)
 */
@JsonIgnoreProperties(value = "distribution")
@JsonTypeName("topk-activation")
public record TopkActivationSpec(Double target, List<String> denseLayers, Integer k, Double fraction)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.topkActivation(this);
    }

    @Override
    public TopkActivationSpec withDefaults() {
        return new TopkActivationSpec(0.0, SparsitySpec.layers(denseLayers), k,
                k == null ? SparsitySpec.or(fraction, 0.1) : null);
    }

    /** Entries kept of a layer's {@code units} activations per example. */
    public int keep(int units) {
        return k != null ? k : Math.max(1, (int) Math.round(fraction * units));
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
