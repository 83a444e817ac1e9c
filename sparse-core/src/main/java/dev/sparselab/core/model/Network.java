package dev.sparselab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.sparselab.contracts.spec.LayerSpec;
import ai.djl.nn.norm.Dropout;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.ReluThresholdSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TopkActivationSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A DJL block plus the list of its sparsifiable layers in forward order. Layers are named
 * {@code conv1, conv2, ..., fc1, fc2, ...}; their weights (conv kernels included) are what weight-sparsity
 * methods mask, biases stay dense. For the
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

    /**
     * One parametric layer (Linear or Conv2d). Its weight is {@code [out, in]} or {@code [out, in, kh, kw]}
     * (PyTorch layout); {@link #in()} is the fan-in, so the weight reads as {@code out} rows of {@code in}.
     * Shapes are known once the block is initialized.
     */
    public record Layer(String name, Block block) {
        public Parameter weight() {
            return block.getParameters().get("weight");
        }

        public Parameter bias() {
            return block.getParameters().get("bias");
        }

        public long[] weightShape() {
            return weight().getArray().getShape().getShape();
        }

        public int out() {
            return (int) weightShape()[0];
        }

        /** The fan-in: inputs times kernel positions. */
        public int in() {
            return weightCount() / out();
        }

        public int weightCount() {
            return (int) weight().getArray().size();
        }

        public boolean isConv() {
            return weightShape().length == 4;
        }

        /** The fan-out as PyTorch counts it: outputs times kernel positions. */
        public int fanOut() {
            long[] shape = weightShape();
            return isConv() ? (int) (shape[0] * shape[2] * shape[3]) : out();
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
        List<LayerSpec> stack = spec.stack();
        if (stack == null) {
            throw new IllegalArgumentException("unknown model type '" + spec.type() + "'");
        }
        SequentialBlock block = new SequentialBlock();
        List<Layer> layers = new ArrayList<>();
        Map<String, Integer> activationOutputs = new LinkedHashMap<>();
        Map<String, float[]> thresholds = new LinkedHashMap<>();
        double dropout = spec.dropout() == null ? 0.0 : spec.dropout();
        boolean spatial = stack.stream().anyMatch(l -> !"linear".equals(l.type()));
        if (spatial) {
            int side = (int) Math.round(Math.sqrt(inputDim));
            if (side * side != inputDim) {
                throw new IllegalArgumentException("model '" + spec.type() + "' has conv layers and needs square images,"
                        + " but the dataset has " + inputDim + " features per example (use fashion-mnist)");
            }
            block.add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().reshape(-1, 1, side, side)), "image"));
        }
        int convs = 0;
        int linears = 0;
        List<LayerSpec> all = new ArrayList<>(stack);
        all.add(LayerSpec.linear(classes));
        for (int i = 0; i < all.size(); i++) {
            LayerSpec ls = all.get(i);
            boolean output = i == all.size() - 1;
            if ("pool".equals(ls.type())) {
                block.add(Pool.maxPool2dBlock(new Shape(ls.size(), ls.size()), new Shape(ls.size(), ls.size())));
                spatial = true;
                continue;
            }
            Block layerBlock;
            String name;
            if ("conv".equals(ls.type())) {
                layerBlock = Conv2d.builder().setKernelShape(new Shape(ls.kernel(), ls.kernel()))
                        .setFilters(ls.channels()).optStride(new Shape(ls.stride(), ls.stride()))
                        .optPadding(new Shape(ls.padding(), ls.padding())).build();
                name = "conv" + (++convs);
            } else {
                if (spatial) {
                    block.add(Blocks.batchFlattenBlock());
                    spatial = false;
                }
                layerBlock = Linear.builder().setUnits(ls.units()).build();
                name = "fc" + (++linears);
            }
            block.add(layerBlock);
            layers.add(new Layer(name, layerBlock));
            if (!output) {
                block.add(activation(spec.activation()));
                if (sparsity instanceof TopkActivationSpec topk) {
                    // k of the layer's activations per example: for a conv layer its channels times positions
                    block.add(new LambdaBlock(x -> new NDList(topK(x.singletonOrThrow(), topk)), "topk"));
                } else if (sparsity instanceof ReluThresholdSpec) {
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
        }
        return new Network(block, layers, inputDim, activationOutputs, thresholds);
    }

    /** Keeps the k largest entries of every row, zeroes the rest (gradients flow through the kept ones). */
    /** Keeps the top-k entries per example, k as the spec says of the layer's activations per example. */
    static NDArray topK(NDArray x, TopkActivationSpec spec) {
        return topK(x, spec.keep((int) (x.size() / x.getShape().get(0))));
    }

    static NDArray topK(NDArray x, int k) {
        // per example over all its entries (channels and positions of a conv output)
        Shape shape = x.getShape();
        NDArray flat = x.reshape(shape.get(0), -1);
        NDArray ranks = flat.neg().argSort(1).argSort(1);
        NDArray keep = ranks.lt(k).toType(DataType.FLOAT32, false).reshape(shape);
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

    /** Initial values as PyTorch's {@code nn.Linear}/{@code nn.Conv2d} draw them (see {@link Init}). */
    public static float[][] initialValues(Layer layer, SplittableRandom rng) {
        return initialValues(layer, dev.sparselab.contracts.spec.InitSpec.DEFAULT, rng);
    }

    /** Initial values of a layer as {@code init} says (see {@link Init}). */
    public static float[][] initialValues(Layer layer, dev.sparselab.contracts.spec.InitSpec init, SplittableRandom rng) {
        return Init.draw(init, layer.weightCount(), layer.in(), layer.fanOut(), layer.out(), rng);
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

    /**
     * The input and output shapes of every layer for one example ({@code [1, ...]}), found by running one
     * zero example through the initialized block.
     */
    public Map<String, Shape[]> layerShapes(ai.djl.ndarray.NDManager manager) {
        Map<Block, Shape[]> byBlock = new java.util.HashMap<>();
        try (ai.djl.ndarray.NDManager sub = manager.newSubManager()) {
            ai.djl.training.ParameterStore store = new ai.djl.training.ParameterStore(sub, false);
            NDList h = new NDList(sub.zeros(new Shape(1, inputDim)));
            for (ai.djl.util.Pair<String, Block> b : block.getChildren()) {
                Shape in = h.singletonOrThrow().getShape();
                h = b.getValue().forward(store, h, false);
                byBlock.put(b.getValue(), new Shape[]{in, h.singletonOrThrow().getShape()});
            }
        }
        Map<String, Shape[]> out = new LinkedHashMap<>();
        layers.forEach(l -> out.put(l.name(), byBlock.get(l.block())));
        return out;
    }

    /** Output positions per example of every layer (height * width for a conv, 1 for a Linear). */
    public Map<String, Long> outputPositions(ai.djl.ndarray.NDManager manager) {
        Map<String, Long> out = new LinkedHashMap<>();
        layerShapes(manager).forEach((name, shapes) -> {
            long p = 1;
            for (int d = 2; d < shapes[1].dimension(); d++) {
                p *= shapes[1].get(d);
            }
            out.put(name, p);
        });
        return out;
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
