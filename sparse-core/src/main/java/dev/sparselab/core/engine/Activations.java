package dev.sparselab.core.engine;

/**
 * The element-wise parts of the sparse engine's step on feature-major arrays ({@code a[i * batch + b]}): bias,
 * activation and its derivative (from the activation's output, which is all the backward pass keeps), bias gradient.
 */
final class Activations {
    private Activations() {
    }

    static void addBias(float[] zT, float[] bias, int batch) {
        for (int i = 0; i < bias.length; i++) {
            float b = bias[i];
            int o = i * batch;
            for (int e = 0; e < batch; e++) {
                zT[o + e] += b;
            }
        }
    }

    /** In place: {@code h = act(z)}. */
    static void forward(String activation, float[] z) {
        switch (activation) {
            case "relu" -> {
                for (int i = 0; i < z.length; i++) {
                    z[i] = z[i] > 0f ? z[i] : 0f;
                }
            }
            case "tanh" -> {
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) Math.tanh(z[i]);
                }
            }
            case "sigmoid" -> {
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
                }
            }
            default -> throw new IllegalArgumentException("the sparse engine computes relu, tanh and sigmoid, not '"
                    + activation + "'");
        }
    }

    /** In place: {@code dz = dh · act'(z)}, the derivative written in terms of the output {@code h = act(z)}. */
    static void backward(String activation, float[] h, float[] dh) {
        switch (activation) {
            case "relu" -> {
                for (int i = 0; i < dh.length; i++) {
                    if (h[i] <= 0f) {
                        dh[i] = 0f;
                    }
                }
            }
            case "tanh" -> {
                for (int i = 0; i < dh.length; i++) {
                    dh[i] *= 1f - h[i] * h[i];
                }
            }
            case "sigmoid" -> {
                for (int i = 0; i < dh.length; i++) {
                    dh[i] *= h[i] * (1f - h[i]);
                }
            }
            default -> throw new IllegalArgumentException("unknown activation '" + activation + "'");
        }
    }

    /** {@code out[i] = Σ_b dzT[i, b]} (the bias gradient). */
    static void sumRows(float[] dzT, int batch, float[] out) {
        for (int i = 0; i < out.length; i++) {
            float s = 0f;
            int o = i * batch;
            for (int e = 0; e < batch; e++) {
                s += dzT[o + e];
            }
            out[i] = s;
        }
    }
}
