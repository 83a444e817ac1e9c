package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The network to train.
 * <ul>
 *   <li>{@code mlp}: fully connected layers fc1..fcN of the given hidden sizes;
 *   <li>{@code lenet5}: conv(6, 5x5, pad 2) - pool 2 - conv(16, 5x5) - pool 2 - fc 120 - fc 84 - fc classes;
 *   <li>{@code cnn}: the given {@code layers} (conv / pool / linear), then the output layer.
 * </ul>
 * Conv models need an image dataset (square inputs, e.g. 28x28 Fashion-MNIST).
 *
 * @param activation       between layers: relu, tanh, sigmoid or gelu
 * @param outputActivation after the last layer: none (logits) or sigmoid
 * @param dropout          dropout rate after every hidden activation (0 = none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation,
                        Double dropout, List<LayerSpec> layers) {
    public static final String MLP = "mlp";
    public static final String LENET5 = "lenet5";
    public static final String CNN = "cnn";
    static final List<LayerSpec> LENET5_LAYERS = List.of(LayerSpec.conv(6, 5, 2), LayerSpec.pool(2),
            LayerSpec.conv(16, 5, 0), LayerSpec.pool(2), LayerSpec.linear(120), LayerSpec.linear(84));

    public ModelSpec(String type, List<Integer> hidden, String activation) {
        this(type, hidden, activation, null, null, null);
    }

    public ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation, Double dropout) {
        this(type, hidden, activation, outputActivation, dropout, null);
    }

    /** The layer stack before the output layer, for every model type. */
    public List<LayerSpec> stack() {
        return switch (type) {
            case MLP -> hidden.stream().map(LayerSpec::linear).toList();
            case LENET5 -> LENET5_LAYERS;
            default -> layers;
        };
    }

    ModelSpec withDefaults() {
        boolean mlp = MLP.equals(type);
        return new ModelSpec(type,
                mlp ? (hidden == null ? List.of(300, 100) : List.copyOf(hidden)) : null,
                activation == null ? "relu" : activation,
                outputActivation == null ? "none" : outputActivation,
                dropout == null ? 0.0 : dropout,
                CNN.equals(type) ? layers.stream().map(LayerSpec::withDefaults).toList() : null);
    }
}
