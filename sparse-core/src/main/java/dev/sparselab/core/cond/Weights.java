package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.optim.MaskedOptimizer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The named parameters of a functional model: each drawn from a Java RNG (so a seed means the same
 * initialization on every engine and device), held in one manager, trained by {@link MaskedOptimizer}.
 * Buffers are fixed arrays that belong to the model but are not trained (hash tables); they are stored with
 * it. Weight matrices are laid out [in, out] so that a layer is {@code x.matMul(w)}.
 */
public final class Weights {
    private final NDManager manager;
    private final SplittableRandom rng;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, float[]> buffers = new LinkedHashMap<>();

    public Weights(NDManager manager, long seed) {
        this.manager = manager;
        this.rng = new SplittableRandom(seed);
    }

    public NDManager manager() {
        return manager;
    }

    /** U(-bound, bound), as PyTorch's Linear draws with bound = 1/sqrt(fan_in). */
    public NDArray uniform(String name, double bound, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return add(name, v, shape);
    }

    /** N(0, std^2), by Box-Muller from the model's RNG. */
    public NDArray normal(String name, double std, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(rng) * std);
        }
        return add(name, v, shape);
    }

    public NDArray constant(String name, float value, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        java.util.Arrays.fill(v, value);
        return add(name, v, shape);
    }

    static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private NDArray add(String name, float[] values, long... shape) {
        if (params.containsKey(name)) {
            throw new IllegalStateException("parameter " + name + " defined twice");
        }
        NDArray a = manager.create(values, new Shape(shape));
        a.setRequiresGradient(true);
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(a);
        params.put(name, p);
        return a;
    }

    /** A fixed array stored with the model. */
    public void buffer(String name, float[] values) {
        buffers.put(name, values);
    }

    public float[] buffer(String name) {
        return buffers.get(name);
    }

    public NDArray get(String name) {
        Parameter p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return p.getArray();
    }

    public List<MaskedOptimizer.Target> targets() {
        List<MaskedOptimizer.Target> t = new ArrayList<>();
        params.forEach((name, p) -> t.add(new MaskedOptimizer.Target(name, p, null)));
        return t;
    }

    /** Trainable values in total. */
    public long count() {
        long n = 0;
        for (Parameter p : params.values()) {
            n += p.getArray().size();
        }
        return n;
    }

    public Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, p.getArray().size()));
        return out;
    }

    /** Parameters and buffers, for an artifact or a checkpoint. */
    public Map<String, ModelArtifact.Tensor> export() {
        Map<String, ModelArtifact.Tensor> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, new ModelArtifact.Tensor(p.getArray().getShape().getShape(),
                p.getArray().toFloatArray())));
        buffers.forEach((name, v) -> out.put("buffer/" + name, new ModelArtifact.Tensor(new long[]{v.length}, v)));
        return out;
    }

    /** Loads stored values into this (freshly built) model; every parameter must be present with its shape. */
    public void load(Map<String, ModelArtifact.Tensor> tensors) {
        params.forEach((name, p) -> {
            ModelArtifact.Tensor t = tensors.get(name);
            if (t == null || t.data().length != p.getArray().size()) {
                throw new IllegalStateException("stored model lacks parameter " + name + " of "
                        + p.getArray().getShape());
            }
            p.getArray().set(FloatBuffer.wrap(t.data()));
        });
        buffers.replaceAll((name, v) -> {
            ModelArtifact.Tensor t = tensors.get("buffer/" + name);
            if (t == null || t.data().length != v.length) {
                throw new IllegalStateException("stored model lacks buffer " + name);
            }
            return t.data();
        });
    }
}
