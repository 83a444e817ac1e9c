package dev.sparselab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A DJL block plus the list of its sparsifiable layers in forward order. Layers are named
 * {@code fc1, fc2, ...}; their weights are what weight-sparsity methods mask, biases stay dense. For the
 * activation-sparsity methods, every hidden layer's activation is followed by a sparsifier: top-k
 * ({@code topk-activation}) or a magnitude threshold tau ({@code relu-threshold}, tau = 0 until
 * calibrated). {@link #activationOutputs()} says after which child block each hidden layer's final
 * activation is available, for measuring activation sparsity.
 */
public final class Network {
    private final SequentialBlock block;
    private final List<Layer> layers;
    private final int inputDim;
    private final Map<String, Integer> activationOutputs;
    private final Map<String, float[]> thresholds;

    /** One Linear layer: weight shape is {@code [out, in]} (PyTorch layout). */
    public record Layer(String name, Linear linear, int in, int out) {
        public Parameter weight() {
            return linear.getParameters().get("weight");
        }

        public Parameter bias() {
            return linear.getParameters().get("bias");
        }

        public int weightCount() {
            return in * out;
        }
    }

    private Network(SequentialBlock block, List<Layer> layers, int inputDim, Map<String, Integer> activationOutputs,
                    Map<String, float[]> thresholds) {
        this.block = block;
        this.layers = List.copyOf(layers);
        this.inputDim = inputDim;
        this.activationOutputs = activationOutputs;
        this.thresholds = thresholds;
    }

    /** Builds the model a spec describes for the given input width and number of classes. */
    public static Network build(ModelSpec spec, int inputDim, int classes) {
        return build(spec, null, inputDim, classes);
    }

    /** Builds the model, with the activation sparsifiers the sparsity spec asks for. */
    public static Network build(ModelSpec spec, SparsitySpec sparsity, int inputDim, int classes) {
        if (!ModelSpec.MLP.equals(spec.type())) {
            throw new IllegalArgumentException("unknown model type '" + spec.type() + "'");
        }
        String method = sparsity == null ? SparsitySpec.DENSE_METHOD : sparsity.method();
        SequentialBlock block = new SequentialBlock();
        List<Layer> layers = new ArrayList<>();
        Map<String, Integer> activationOutputs = new LinkedHashMap<>();
        Map<String, float[]> thresholds = new LinkedHashMap<>();
        int in = inputDim;
        List<Integer> widths = new ArrayList<>(spec.hidden());
        widths.add(classes);
        double dropout = spec.dropout() == null ? 0.0 : spec.dropout();
        for (int i = 0; i < widths.size(); i++) {
            int out = widths.get(i);
            Linear linear = Linear.builder().setUnits(out).build();
            block.add(linear);
            String name = "fc" + (i + 1);
            layers.add(new Layer(name, linear, in, out));
            if (i < widths.size() - 1) {
                block.add(activation(spec.activation()));
                if (SparsitySpec.TOPK_ACTIVATION.equals(method)) {
                    int k = sparsity.k() != null ? Math.min(sparsity.k(), out)
                            : Math.max(1, (int) Math.round(sparsity.fraction() * out));
                    block.add(new LambdaBlock(x -> new NDList(topK(x.singletonOrThrow(), k)), "topk"));
                } else if (SparsitySpec.RELU_THRESHOLD.equals(method)) {
                    float[] tau = {0f};
                    thresholds.put(name, tau);
                    block.add(new LambdaBlock(x -> new NDList(threshold(x.singletonOrThrow(), tau[0])), "threshold"));
                }
                activationOutputs.put(name, block.getChildren().size() - 1);
                if (dropout > 0) {
                    block.add(Dropout.builder().optRate((float) dropout).build());
                }
            } else if ("sigmoid".equals(spec.outputActivation())) {
                block.add(Activation.sigmoidBlock());
            }
            in = out;
        }
        return new Network(block, layers, inputDim, activationOutputs, thresholds);
    }

    /** Keeps the k largest entries of every row, zeroes the rest (gradients flow through the kept ones). */
    static NDArray topK(NDArray x, int k) {
        NDArray ranks = x.neg().argSort(1).argSort(1);
        NDArray keep = ranks.lt(k).toType(DataType.FLOAT32, false);
        return x.mul(keep);
    }

    /** Zeroes entries with |x| below tau. */
    static NDArray threshold(NDArray x, float tau) {
        if (tau <= 0f) {
            return x;
        }
        return x.mul(x.abs().gte(tau).toType(DataType.FLOAT32, false));
    }

    private static Block activation(String name) {
        return switch (name) {
            case "relu" -> Activation.reluBlock();
            case "tanh" -> Activation.tanhBlock();
            case "sigmoid" -> Activation.sigmoidBlock();
            case "gelu" -> new LambdaBlock(Activation::gelu, "gelu");
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
        };
    }

    /** Applies an activation by name to an array (outside a block). */
    public static NDArray activate(String name, NDArray h) {
        return switch (name) {
            case "relu" -> Activation.relu(h);
            case "tanh" -> Activation.tanh(h);
            case "sigmoid" -> Activation.sigmoid(h);
            case "gelu" -> Activation.gelu(h);
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
        };
    }

    /**
     * Initial values as PyTorch's {@code nn.Linear} draws them (weights and biases from
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in))), but from a Java RNG so that a seed means the same
     * initialization on every engine and device.
     */
    public static float[][] initialValues(Layer layer, SplittableRandom rng) {
        double bound = 1.0 / Math.sqrt(layer.in());
        float[] w = new float[layer.weightCount()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        float[] b = new float[layer.out()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return new float[][]{w, b};
    }

    public SequentialBlock block() {
        return block;
    }

    public List<Layer> layers() {
        return layers;
    }

    public int inputDim() {
        return inputDim;
    }

    /** Hidden layer name → index of the child block whose output is that layer's final activation. */
    public Map<String, Integer> activationOutputs() {
        return activationOutputs;
    }

    /** The activation thresholds of a relu-threshold network (empty otherwise), by hidden layer. */
    public Map<String, Float> thresholds() {
        Map<String, Float> out = new LinkedHashMap<>();
        thresholds.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    public void setThreshold(String layer, float tau) {
        float[] holder = thresholds.get(layer);
        if (holder == null) {
            throw new IllegalArgumentException("layer " + layer + " has no activation threshold");
        }
        holder[0] = tau;
    }
}
