package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/** SGD with optional momentum and weight decay. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OptimizerSpec(String type, Double learningRate, Double momentum, Double weightDecay) {
    public static final OptimizerSpec DEFAULT = new OptimizerSpec("sgd", 0.05, 0.9, 0.0);

    OptimizerSpec withDefaults() {
        return new OptimizerSpec(
                type == null ? DEFAULT.type() : type,
                learningRate == null ? DEFAULT.learningRate() : learningRate,
                momentum == null ? DEFAULT.momentum() : momentum,
                weightDecay == null ? DEFAULT.weightDecay() : weightDecay);
    }
}
