package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The network to train: {@code mlp}, fully connected layers fc1..fcN of the given hidden sizes.
 *
 * @param activation       between layers: relu, tanh, sigmoid or gelu
 * @param outputActivation after the last layer: none (logits) or sigmoid
 * @param dropout          dropout rate after every hidden activation (0 = none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation,
                        Double dropout) {
    public static final String MLP = "mlp";

    public ModelSpec(String type, List<Integer> hidden, String activation) {
        this(type, hidden, activation, null, null);
    }

    ModelSpec withDefaults() {
        return new ModelSpec(type, hidden == null ? List.of(300, 100) : List.copyOf(hidden),
                activation == null ? "relu" : activation,
                outputActivation == null ? "none" : outputActivation,
                dropout == null ? 0.0 : dropout);
    }
}
