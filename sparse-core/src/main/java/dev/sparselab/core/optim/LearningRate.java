package dev.sparselab.core.optim;

import dev.sparselab.contracts.spec.OptimizerSpec;

/**
 * The learning rate at a step (1-based): linear warm-up over {@code warmupSteps}, then the schedule:
 * {@code constant}; {@code step}: lr * gamma^floor((t - warmup) / stepSize); {@code cosine}:
 * lr * (1 + cos(pi (t - warmup) / (T - warmup))) / 2, reaching 0 at the last step T.
 */
public final class LearningRate {
    private final OptimizerSpec spec;
    private final long totalSteps;

    public LearningRate(OptimizerSpec spec, long totalSteps) {
        this.spec = spec;
        this.totalSteps = totalSteps;
    }

    public float at(long step) {
        double base = spec.learningRate();
        long warmup = spec.warmupSteps() == null ? 0 : spec.warmupSteps();
        if (step <= warmup) {
            return (float) (base * step / warmup);
        }
        long t = step - warmup;
        double lr = switch (spec.schedule()) {
            case "constant" -> base;
            case "step" -> base * Math.pow(spec.gamma(), Math.floorDiv(t, spec.stepSize()));
            case "cosine" -> base * 0.5 * (1 + Math.cos(Math.PI * t / Math.max(1, totalSteps - warmup)));
            default -> throw new IllegalArgumentException("unknown schedule '" + spec.schedule() + "'");
        };
        return (float) lr;
    }
}
