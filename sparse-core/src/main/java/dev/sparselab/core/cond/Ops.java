package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** Array functions the functional models share. */
final class Ops {
    private Ops() {
    }

    /** x [n, in] times w [in, out] plus b [out]. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        NDArray y = x.matMul(w);
        return b == null ? y : y.add(b);
    }

    static NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        NDArray centered = x.sub(x.mean(new int[]{-1}, true));
        NDArray var = centered.square().mean(new int[]{-1}, true);
        return centered.div(var.add(1e-5f).sqrt()).mul(gain).add(bias);
    }

    static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    static NDArray activate(String name, NDArray x) {
        return dev.sparselab.core.model.Network.activate(name, x);
    }

    /** Rows of {@code table} [r, d] at {@code index} (int64, any shape s): shape s + [d]. Differentiable. */
    static NDArray rows(NDArray table, NDArray index) {
        long d = table.getShape().get(1);
        Shape s = index.getShape();
        long m = s.size();
        NDArray flat = index.reshape(m, 1).broadcast(new Shape(m, d));
        NDArray picked = table.gather(flat, 0);
        // an op's result belongs to its receiver's manager: a parameter's would keep it until the model closes
        picked.attach(index.getManager());
        long[] out = new long[s.dimension() + 1];
        System.arraycopy(s.getShape(), 0, out, 0, s.dimension());
        out[s.dimension()] = d;
        return picked.reshape(new Shape(out));
    }

    /**
     * A parameter-derived array (a reshape, a transpose) moved into the step's manager, so that it is freed with
     * the step; DJL attaches an op's result to the manager of its receiver, here the model's.
     */
    static NDArray scratch(NDArray derived, Step step) {
        derived.attach(step.manager);
        return derived;
    }

    static NDArray longs(NDManager m, long[] values, long... shape) {
        return m.create(values, new Shape(shape));
    }

    static NDArray ints(NDManager m, int[] values, long... shape) {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return m.create(v, new Shape(shape));
    }

    static float[] floats(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** Squared coefficient of variation (unbiased variance over mean^2), differentiable; 0 for equal entries. */
    static NDArray cv2(NDArray x) {
        long n = x.size();
        NDArray mean = x.mean();
        NDArray var = x.sub(mean).square().sum().div(Math.max(1, n - 1));
        return var.div(mean.square().add(1e-10f));
    }
}
