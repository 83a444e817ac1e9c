package dev.sparselab.core.engine;

import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.core.optim.LearningRate;
import java.util.stream.IntStream;

/**
 * The sparse engine's optimizer: the masked-dense engine's {@code MaskedOptimizer} rules on arrays that hold only the
 * active positions (a layer's weights in compressed-row order, its state arrays aligned with them), so the state of an
 * absent connection is not stored at all (the masked-dense engine holds it as zeros).
 * <ul>
 *   <li>sgd: g = lr (grad + wd w); buf = m buf + g; w -= buf (DJL's kernel); Nesterov as PyTorch:
 *       g = grad + wd w; buf = m buf + g; w -= lr (g + m buf);</li>
 *   <li>adam / adamw with a step count per position: slot 2 holds the step of each position's last reset (a grown
 *       connection restarts its bias correction, as in {@code MaskedOptimizer}); adam adds wd w to the gradient,
 *       adamw decays w by lr wd.</li>
 * </ul>
 * Slots: sgd with momentum 1 (the buffer), without 0; adam 3 (m, v, reset step).
 */
final class EngineOptimizer {
    private static final int PARALLEL = 1 << 18;
    private final OptimizerSpec spec;
    private final LearningRate schedule;
    private final boolean adam;

    EngineOptimizer(OptimizerSpec spec, long totalSteps) {
        this.spec = spec;
        this.schedule = new LearningRate(spec, totalSteps);
        this.adam = switch (spec.type()) {
            case "sgd" -> false;
            case "adam", "adamw" -> true;
            default -> throw new IllegalArgumentException("unknown optimizer '" + spec.type() + "'");
        };
    }

    int slots() {
        return adam ? 3 : spec.momentum() > 0 ? 1 : 0;
    }

    /** Whether slot {@code i} holds reset steps (filled with the current step for a grown position). */
    boolean isResetSlot(int i) {
        return adam && i == 2;
    }

    float learningRate(long scheduleStep) {
        return schedule.at(Math.max(1, scheduleStep));
    }

    /** One update of {@code w} from {@code grad} (both of the same length) with state {@code s}, at state step t. */
    void update(float[] w, float[] grad, float[][] s, float lr, long t) {
        int n = w.length;
        if (n < PARALLEL) {
            update(w, grad, s, lr, t, 0, n);
            return;
        }
        int chunks = (n + PARALLEL - 1) / PARALLEL;
        IntStream.range(0, chunks).parallel().forEach(c -> update(w, grad, s, lr, t, c * PARALLEL,
                Math.min(n, (c + 1) * PARALLEL)));
    }

    private void update(float[] w, float[] grad, float[][] s, float lr, long t, int from, int to) {
        float wd = spec.weightDecay().floatValue();
        if (adam) {
            adam(w, grad, s, lr, wd, t, from, to);
            return;
        }
        float m = spec.momentum().floatValue();
        if (Boolean.TRUE.equals(spec.nesterov()) && m > 0f) {
            float[] buf = s[0];
            for (int i = from; i < to; i++) {
                float g = wd != 0f ? grad[i] + w[i] * wd : grad[i];
                buf[i] = buf[i] * m + g;
                w[i] -= (buf[i] * m + g) * lr;
            }
        } else if (m == 0f) {
            for (int i = from; i < to; i++) {
                w[i] -= wd != 0f ? lr * (grad[i] + wd * w[i]) : grad[i] * lr;
            }
        } else {
            float[] buf = s[0];
            for (int i = from; i < to; i++) {
                float g = wd != 0f ? lr * (grad[i] + wd * w[i]) : grad[i] * lr;
                buf[i] = buf[i] * m + g;
                w[i] -= buf[i];
            }
        }
    }

    private void adam(float[] w, float[] grad, float[][] s, float lr, float wd, long t, int from, int to) {
        float beta1 = spec.beta1().floatValue();
        float beta2 = spec.beta2().floatValue();
        float eps = spec.epsilon().floatValue();
        boolean decoupled = "adamw".equals(spec.type());
        float lnB1 = (float) Math.log(beta1);
        float lnB2 = (float) Math.log(beta2);
        float[] m = s[0];
        float[] v = s[1];
        float[] reset = s[2];
        float lastReset = Float.NaN;
        float factor = 0f;
        for (int i = from; i < to; i++) {
            float g = !decoupled && wd != 0f ? grad[i] + w[i] * wd : grad[i];
            m[i] = m[i] * beta1 + g * (1f - beta1);
            v[i] = v[i] * beta2 + g * g * (1f - beta2);
            if (reset[i] != lastReset) { // positions mostly share their reset step: one factor for a run of them
                lastReset = reset[i];
                float k = (float) t - reset[i];
                float c1 = 1f - (float) Math.exp(k * lnB1);
                float c2 = 1f - (float) Math.exp(k * lnB2);
                factor = (float) Math.sqrt(c2) / c1 * lr;
            }
            float update = m[i] / ((float) Math.sqrt(v[i]) + eps) * factor;
            if (decoupled && wd != 0f) {
                w[i] *= 1f - lr * wd;
            }
            w[i] -= update;
        }
    }
}
