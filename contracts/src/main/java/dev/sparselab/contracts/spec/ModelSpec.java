package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The network to train. Only {@code mlp} exists so far: fully connected layers of the given hidden
 * sizes with one activation between them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String type, List<Integer> hidden, String activation) {
    public static final String MLP = "mlp";

    ModelSpec withDefaults() {
        return new ModelSpec(type, hidden == null ? List.of(300, 100) : List.copyOf(hidden),
                activation == null ? "relu" : activation);
    }
}
