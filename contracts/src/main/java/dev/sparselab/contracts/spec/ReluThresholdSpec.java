package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * Activation sparsity by a per-layer threshold calibrated so that the target fraction of activations is zero.
 *
 * <p>The schema admits the common parameters for every method; those ignored here are accepted and dropped.
 *
 * @param target             the fraction of zero activations (the weights stay dense)
 * @param calibrationBatches training batches used to calibrate the thresholds
 */
@JsonIgnoreProperties(value = "distribution")
@JsonTypeName("relu-threshold")
public record ReluThresholdSpec(Double target, List<String> denseLayers, Integer calibrationBatches)
        implements SparsitySpec {
    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.reluThreshold(this);
    }

    @Override
    public ReluThresholdSpec withDefaults() {
        return new ReluThresholdSpec(SparsitySpec.or(target, 0.0), SparsitySpec.layers(denseLayers),
                SparsitySpec.or(calibrationBatches, 8));
    }

    @Override
    public double sparsityAt(long t, long trainSteps) {
        return 0;
    }

    @Override
    public boolean sparseFromStart() {
        return true;
    }
}
