package dev.sparselab.core.engine;

import java.util.List;

/**
 * Inference through an mlp held as sparse matrices (a sparse-engine model): the engine's forward pass, feature-major,
 * for the evaluator.
 */
public final class SparseNetwork {
    /** One linear layer: its weights and bias. */
    public record Layer(String name, SparseMatrix weight, float[] bias) {
    }

    private final List<Layer> layers;
    private final String activation;

    public SparseNetwork(List<Layer> layers, String activation) {
        this.layers = List.copyOf(layers);
        this.activation = activation;
    }

    public List<Layer> layers() {
        return layers;
    }

    /**
     * The logits, feature-major {@code [classes, batch]}, of a feature-major input; adds to {@code hiddenZeros[l]} the
     * exact zeros among hidden layer {@code l}'s activations.
     */
    public float[] forward(float[] xT, int batch, long[] hiddenZeros) {
        float[] h = xT;
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            float[] z = new float[layer.weight().rows() * batch];
            layer.weight().forward(h, batch, z);
            Activations.addBias(z, layer.bias(), batch);
            if (l < layers.size() - 1) {
                Activations.forward(activation, z);
                long zeros = 0;
                for (float v : z) {
                    if (v == 0f) {
                        zeros++;
                    }
                }
                hiddenZeros[l] += zeros;
            }
            h = z;
        }
        return h;
    }
}
