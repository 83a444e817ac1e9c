package dev.sparselab.contracts.spec;

import java.util.List;

/**
 * The number of trainable parameters (weights and biases) a spec's model will have, computed from the spec
 * alone: the input shape of its dataset, the layer stack, and the output layer (one unit per class).
 */
public final class ModelSize {
    /** Input channels, height, width and classes of each dataset. */
    record Shape(int channels, int height, int width, int classes) {
    }

    private ModelSize() {
    }

    static Shape shape(String dataset) {
        return switch (dataset) {
            case DatasetSpec.FASHION_MNIST -> new Shape(1, 28, 28, 10);
            case DatasetSpec.SYNTHETIC -> new Shape(1, 1, 32, 10);
            default -> null;
        };
    }

    /** Parameters of the spec's model, or -1 when its dataset's shape is unknown here. */
    public static long parameters(ExperimentSpec spec) {
        if (ModelSpec.TRANSFORMER.equals(spec.model().type())) {
            return ConditionalSize.transformer(spec.model(), ConditionalSize.vocabulary(spec.dataset())).total();
        }
        Shape s = shape(spec.dataset().name());
        if (s != null && spec.training().local()) {
            return ConditionalSize.local(spec.model(), spec.training(), s.channels() * s.height() * s.width(),
                    s.classes()).total();
        }
        if (s != null && spec.model().conditional()) {
            return ConditionalSize.mlp(spec.model(), s.channels() * s.height() * s.width(), s.classes()).total();
        }
        if (s == null) {
            return -1;
        }
        long channels = s.channels();
        long height = s.height();
        long width = s.width();
        long features = -1; // set once flattened
        long total = 0;
        List<LayerSpec> stack = spec.model().stack();
        for (LayerSpec layer : stack == null ? List.<LayerSpec>of() : stack) {
            switch (layer.type()) {
                case "conv" -> {
                    long k = layer.kernel();
                    total += channels * layer.channels() * k * k + layer.channels();
                    height = Math.max(1, (height + 2L * layer.padding() - k) / layer.stride() + 1);
                    width = Math.max(1, (width + 2L * layer.padding() - k) / layer.stride() + 1);
                    channels = layer.channels();
                }
                case "pool" -> {
                    height = Math.max(1, height / layer.size());
                    width = Math.max(1, width / layer.size());
                }
                default -> {
                    long in = features < 0 ? channels * height * width : features;
                    total += in * layer.units() + layer.units();
                    features = layer.units();
                }
            }
        }
        long in = features < 0 ? channels * height * width : features;
        return total + in * s.classes() + s.classes();
    }

    /**
     * The parameters a run holds: for the sparse engine (an mlp holding only its active connections) the weights kept
     * at the target sparsity — (1 − target) of the sparsified layers' weights, which every distribution keeps exact
     * over them — plus the layers kept dense and the biases; otherwise {@link #parameters}.
     */
    public static long heldParameters(ExperimentSpec spec) {
        Shape s = shape(spec.dataset().name());
        if (!spec.training().sparseEngine() || s == null || spec.model().stack() == null) {
            return parameters(spec);
        }
        long[] weights = linearWeights(spec, s);
        List<String> dense = denseNames(spec, weights.length);
        double sparsified = 0;
        long held = 0;
        for (int i = 0; i < weights.length; i++) {
            if (dense.contains("fc" + (i + 1)) || "dense".equals(spec.sparsity().method())) {
                held += weights[i];
            } else {
                sparsified += weights[i];
            }
        }
        double target = spec.sparsity().target() == null ? 0 : spec.sparsity().target();
        return held + Math.round((1 - target) * sparsified) + (parameters(spec) - java.util.Arrays.stream(weights).sum());
    }

    /** The weights of the largest layer of an mlp (0 when the model is not one). */
    public static long largestLayer(ExperimentSpec spec) {
        Shape s = shape(spec.dataset().name());
        return s == null || spec.model().stack() == null ? 0
                : java.util.Arrays.stream(linearWeights(spec, s)).max().orElse(0);
    }

    /** The weights of each linear layer of an mlp, the output layer last. */
    private static long[] linearWeights(ExperimentSpec spec, Shape s) {
        List<LayerSpec> stack = spec.model().stack();
        long[] out = new long[stack.size() + 1];
        long in = (long) s.channels() * s.height() * s.width();
        for (int i = 0; i < stack.size(); i++) {
            out[i] = in * stack.get(i).units();
            in = stack.get(i).units();
        }
        out[stack.size()] = in * s.classes();
        return out;
    }

    private static List<String> denseNames(ExperimentSpec spec, int layers) {
        List<String> names = new java.util.ArrayList<>();
        for (String d : spec.sparsity().denseLayers() == null ? List.<String>of() : spec.sparsity().denseLayers()) {
            names.add(switch (d) {
                case "first" -> "fc1";
                case "last" -> "fc" + layers;
                default -> d;
            });
        }
        return names;
    }
}
