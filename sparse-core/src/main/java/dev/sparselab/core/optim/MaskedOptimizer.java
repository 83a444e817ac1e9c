package dev.sparselab.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sparselab.contracts.spec.OptimizerSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SparseLab's own optimizer step, with its state in the open so that sparse methods can use it.
 *
 * <ul>
 *   <li>Gradients of masked weights are zeroed before the update, so masked weights receive neither
 *       gradient nor momentum.
 *   <li>{@link #resetState} zeroes the optimizer state (momentum; Adam's moments) at chosen positions,
 *       e.g. for weights a method has just regrown. Under Adam those positions restart their own step count, as a
 *       freshly created parameter would: their bias correction uses the steps since their reset (a third state
 *       array holds the step of each position's last reset). With one global count a regrown weight's first
 *       steps were about sqrt(1 - beta2) / (1 - beta1) = 3.2x (late in training) the size Adam means them to be.
 *   <li>Plain SGD (with or without momentum) and Adam/AdamW run DJL's own fused update kernels on our
 *       state arrays, so with no mask the trajectory is exactly DJL's {@code Sgd}/{@code Adam}. Nesterov
 *       momentum (which DJL lacks) follows PyTorch: buf = m buf + g; w -= lr (g + m buf).
 * </ul>
 *
 * Not thread-safe; one per run. State arrays live in the manager given at construction.
 */
public final class MaskedOptimizer implements AutoCloseable {
    private final OptimizerSpec spec;
    private final LearningRate schedule;
    private final NDManager stateManager;
    private final Map<String, NDArray[]> state = new LinkedHashMap<>();
    private long updates;
    /** The step count Adam's bias correction used at the last update (the run step, or IMP's count in a round). */
    private long stateSteps;

    public MaskedOptimizer(OptimizerSpec spec, long totalSteps, NDManager stateManager) {
        this.spec = spec;
        this.schedule = new LearningRate(spec, totalSteps);
        this.stateManager = stateManager;
    }

    /** A parameter to update and, optionally, the 0/1 mask of its entries that may be non-zero. */
    public record Target(String name, Parameter parameter, NDArray mask) {
    }

    /**
     * Applies one update to every target, using the gradients left by the last backward pass, and
     * clears those gradients. Temporary arrays are attached to {@code scratch}.
     *
     * @param step the optimizer step, 1-based (drives the learning-rate schedule and Adam's bias correction)
     */
    public void step(List<Target> targets, long step, NDManager scratch) {
        step(targets, step, step, step, scratch);
    }

    /**
     * One update at run step {@code step}, with the learning rate of schedule step {@code scheduleStep} and Adam's
     * bias correction for {@code stateStep} updates since the state was last reset (methods that restart
     * training, like IMP's rounds, rerun the schedule and restart the count with fresh optimizer state).
     */
    public void step(List<Target> targets, long step, long scheduleStep, long stateStep, NDManager scratch) {
        updates = step;
        stateSteps = stateStep;
        float lr = schedule.at(scheduleStep);
        float wd = spec.weightDecay().floatValue();
        for (Target t : targets) {
            NDArray w = t.parameter().getArray();
            NDArray grad = w.getGradient();
            grad.attach(scratch);
            if (t.mask() != null) {
                grad.muli(t.mask());
            }
            switch (spec.type()) {
                case "sgd" -> sgd(t.name(), w, grad, lr, wd, scratch);
                case "adam", "adamw" -> adam(t.name(), w, grad, lr, wd, stateStep, scratch);
                default -> throw new IllegalArgumentException("unknown optimizer '" + spec.type() + "'");
            }
        }
    }

    private void sgd(String name, NDArray w, NDArray grad, float lr, float wd, NDManager scratch) {
        float momentum = spec.momentum().floatValue();
        if (Boolean.TRUE.equals(spec.nesterov()) && momentum > 0f) {
            NDArray buf = state(name, w, 1)[0];
            // every intermediate belongs to the step (a result attaches to its receiver's manager: w's or buf's
            // would keep it for the whole run)
            NDArray g = grad.duplicate();
            g.attach(scratch);
            if (wd != 0f) {
                NDArray decay = w.mul(wd);
                decay.attach(scratch);
                g.addi(decay);
            }
            buf.muli(momentum).addi(g);
            NDArray ahead = buf.mul(momentum);
            ahead.attach(scratch);
            w.subi(ahead.addi(g).muli(lr));
            clearGradient(w, grad);
            return;
        }
        if (wd != 0f) {
            // DJL's kernel: g = lr (grad + wd w) (a fused add we cannot express op for op); state = m state + g;
            // w -= state. It clears the gradient.
            NDList inputs = momentum == 0f ? new NDList(w, grad) : new NDList(w, grad, state(name, w, 1)[0]);
            w.getNDArrayInternal().sgdUpdate(inputs, new NDList(w), lr, wd, 1f, -1f, momentum, true);
            return;
        }
        // without weight decay, DJL's update op for op (so bit for bit): g = lr grad; state = m state + g;
        // w -= state; in place on the gradient, which is ours, where DJL's kernel clones it first
        grad.muli(lr);
        if (momentum == 0f) {
            w.subi(grad);
        } else {
            NDArray buf = state(name, w, 1)[0];
            buf.muli(momentum).addi(grad);
            w.subi(buf);
        }
        clearGradient(w, grad);
    }

    /** Zeroes a parameter's gradient for the next backward pass (PyTorch accumulates into it): a memset. */
    private static void clearGradient(NDArray w, NDArray grad) {
        if (w instanceof ai.djl.pytorch.engine.PtNDArray pt) {
            ai.djl.pytorch.jni.JniUtils.zeroGrad(pt);
        } else {
            grad.subi(grad);
        }
    }

    private void adam(String name, NDArray w, NDArray grad, float lr, float wd, long t, NDManager scratch) {
        NDArray[] moments = state(name, w, 2);
        if (moments.length == 3) {
            adamPerElement(w, grad, moments, lr, wd, t, scratch);
            return;
        }
        // as DJL computes it: float betas widened to double
        float beta1 = spec.beta1().floatValue();
        float beta2 = spec.beta2().floatValue();
        float corrected = (float) (lr * Math.sqrt(1.0 - Math.pow(beta2, t)) / (1.0 - Math.pow(beta1, t)));
        // DJL's kernel (clears the gradient); adamw decays weights by lr * wd directly
        w.getNDArrayInternal().adamUpdate(new NDList(w, grad, moments[0], moments[1]), new NDList(w), lr, corrected,
                wd, 1f, -1f, beta1, beta2, spec.epsilon().floatValue(), true,
                "adamw".equals(spec.type()));
    }

    /**
     * Adam with a step count per position: k = t - reset step, m-hat = m / (1 - beta1^k), v-hat = v / (1 - beta2^k),
     * in DJL's form w -= lr sqrt(1 - beta2^k) / (1 - beta1^k) m / (sqrt(v) + eps); adam adds wd w to the gradient,
     * adamw decays w by lr wd. Positions never reset have k = t: DJL's update, up to rounding.
     */
    private void adamPerElement(NDArray w, NDArray grad, NDArray[] s, float lr, float wd, long t, NDManager scratch) {
        float beta1 = spec.beta1().floatValue();
        float beta2 = spec.beta2().floatValue();
        boolean decoupled = "adamw".equals(spec.type());
        try (NDManager tmp = scratch.newSubManager()) {
            NDArray g = grad;
            if (!decoupled && wd != 0f) {
                NDArray decay = w.mul(wd);
                decay.attach(tmp);
                g = grad.add(decay);
                g.attach(tmp);
            }
            NDArray gm = g.mul(1f - beta1);
            gm.attach(tmp);
            s[0].muli(beta1).addi(gm);
            NDArray gv = g.square();
            gv.attach(tmp);
            s[1].muli(beta2).addi(gv.muli(1f - beta2));
            NDArray k = s[2].neg();
            k.attach(tmp);
            k.addi((float) t);
            NDArray c1 = k.mul((float) Math.log(beta1)).exp().neg().add(1f);
            NDArray c2 = k.mul((float) Math.log(beta2)).exp().neg().add(1f);
            NDArray factor = c2.sqrt().div(c1).mul(lr);
            NDArray denominator = s[1].sqrt();
            denominator.attach(tmp);
            denominator.addi(spec.epsilon().floatValue());
            NDArray update = s[0].div(denominator);
            update.attach(tmp);
            update.muli(factor);
            if (decoupled && wd != 0f) {
                w.muli(1f - lr * wd);
            }
            w.subi(update);
            clearGradient(w, grad);
        }
    }

    private NDArray[] state(String name, NDArray w, int count) {
        return state.computeIfAbsent(name, k -> {
            NDArray[] arrays = new NDArray[count];
            for (int i = 0; i < count; i++) {
                arrays[i] = stateManager.zeros(w.getShape(), w.getDataType(), w.getDevice());
            }
            return arrays;
        });
    }

    /**
     * Zeroes the state of {@code name} where {@code keep} is 0 (keep is a 0/1 array of the weight's shape); under
     * Adam those positions restart their step count from the last update.
     */
    public void resetState(String name, NDArray keep) {
        NDArray[] arrays = state.get(name);
        if (arrays == null) {
            return;
        }
        arrays[0].muli(keep);
        if (arrays.length == 1) {
            return;
        }
        arrays[1].muli(keep);
        // the step of each position's last reset: kept where keep is 1, the last update's step where it is 0
        try (NDManager tmp = stateManager.newSubManager()) {
            NDArray resetAt = keep.neg();
            resetAt.attach(tmp);
            resetAt.addi(1f).muli((float) stateSteps);
            if (arrays.length == 2) {
                NDArray since = resetAt.duplicate();
                since.attach(stateManager);
                state.put(name, new NDArray[]{arrays[0], arrays[1], since});
            } else {
                arrays[2].muli(keep).addi(resetAt);
            }
        }
    }

    /** The state arrays of a parameter (momentum for SGD; first and second moments for Adam), or none yet. */
    public NDArray[] stateOf(String name) {
        return state.get(name);
    }

    /** Host copies of all state arrays, by parameter name (for a checkpoint). */
    public Map<String, float[][]> exportState() {
        Map<String, float[][]> out = new LinkedHashMap<>();
        state.forEach((name, arrays) -> {
            float[][] copies = new float[arrays.length][];
            for (int i = 0; i < arrays.length; i++) {
                copies[i] = arrays[i].toFloatArray();
            }
            out.put(name, copies);
        });
        return out;
    }

    /** Replaces the state of a parameter with saved values (from {@link #exportState}). */
    public void importState(String name, NDArray like, float[][] values) {
        NDArray[] old = state.remove(name);
        if (old != null) {
            for (NDArray a : old) {
                a.close();
            }
        }
        NDArray[] arrays = new NDArray[values.length];
        for (int i = 0; i < values.length; i++) {
            arrays[i] = stateManager.create(values[i], like.getShape()).toDevice(like.getDevice(), false);
        }
        state.put(name, arrays);
    }

    /** The learning rate the schedule gives at a step. */
    public float learningRate(long step) {
        return schedule.at(Math.max(1, step));
    }

    public long updates() {
        return updates;
    }

    @Override
    public void close() {
        state.values().forEach(arrays -> {
            for (NDArray a : arrays) {
                a.close();
            }
        });
        state.clear();
    }
}
