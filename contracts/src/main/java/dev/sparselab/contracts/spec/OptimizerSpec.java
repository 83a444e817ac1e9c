package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The optimizer: {@code sgd} (momentum, Nesterov, weight decay), {@code adam} or {@code adamw}.
 *
 * @param schedule learning-rate schedule: {@code constant}, {@code step} or {@code cosine}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OptimizerSpec(String type, Double learningRate, Double momentum, Boolean nesterov, Double weightDecay,
                            Double beta1, Double beta2, Double epsilon, String schedule, Long warmupSteps,
                            Long stepSize, Double gamma) {
    public static final OptimizerSpec DEFAULT = sgd(0.05, 0.9).withDefaults();

    public static OptimizerSpec sgd(double learningRate, double momentum) {
        return new OptimizerSpec("sgd", learningRate, momentum, null, null, null, null, null, null, null, null,
                null);
    }

    OptimizerSpec withDefaults() {
        String t = type == null ? "sgd" : type;
        boolean sgd = "sgd".equals(t);
        String s = schedule == null ? "constant" : schedule;
        return new OptimizerSpec(
                t,
                learningRate == null ? (sgd ? 0.05 : 0.001) : learningRate,
                sgd ? (momentum == null ? 0.9 : momentum) : null,
                sgd ? (nesterov != null && nesterov) : null,
                weightDecay == null ? ("adamw".equals(t) ? 0.01 : 0.0) : weightDecay,
                sgd ? null : (beta1 == null ? 0.9 : beta1),
                sgd ? null : (beta2 == null ? 0.999 : beta2),
                sgd ? null : (epsilon == null ? 1e-8 : epsilon),
                s,
                warmupSteps == null ? 0L : warmupSteps,
                "step".equals(s) ? (stepSize == null ? 1000L : stepSize) : null,
                "step".equals(s) ? (gamma == null ? 0.1 : gamma) : null);
    }
}
