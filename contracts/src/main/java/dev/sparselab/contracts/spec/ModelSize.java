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
}
