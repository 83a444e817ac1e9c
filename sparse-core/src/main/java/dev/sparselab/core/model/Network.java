package dev.sparselab.core.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.sparselab.contracts.spec.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A DJL block plus the list of its sparsifiable layers in forward order. Layers are named
 * {@code fc1, fc2, ...}; their weights are what sparsity methods mask, biases stay dense.
 */
public final class Network {
    private final SequentialBlock block;
    private final List<Layer> layers;
    private final int inputDim;

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

    private Network(SequentialBlock block, List<Layer> layers, int inputDim) {
        this.block = block;
        this.layers = List.copyOf(layers);
        this.inputDim = inputDim;
    }

    /** Builds the model a spec describes for the given input width and number of classes. */
    public static Network build(ModelSpec spec, int inputDim, int classes) {
        if (!ModelSpec.MLP.equals(spec.type())) {
            throw new IllegalArgumentException("unknown model type '" + spec.type() + "'");
        }
        SequentialBlock block = new SequentialBlock();
        List<Layer> layers = new ArrayList<>();
        int in = inputDim;
        List<Integer> widths = new ArrayList<>(spec.hidden());
        widths.add(classes);
        for (int i = 0; i < widths.size(); i++) {
            int out = widths.get(i);
            Linear linear = Linear.builder().setUnits(out).build();
            block.add(linear);
            layers.add(new Layer("fc" + (i + 1), linear, in, out));
            if (i < widths.size() - 1) {
                block.add(activation(spec.activation()));
            }
            in = out;
        }
        return new Network(block, layers, inputDim);
    }

    private static Block activation(String name) {
        return switch (name) {
            case "relu" -> Activation.reluBlock();
            case "tanh" -> Activation.tanhBlock();
            case "sigmoid" -> Activation.sigmoidBlock();
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
}
