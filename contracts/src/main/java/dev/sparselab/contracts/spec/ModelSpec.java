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
 * <ul>
 *   <li>{@code transformer}: a decoder-only transformer for token data ({@code char-lm},
 *       {@code associative-recall}): {@code depth} blocks of {@code width}, {@code heads} attention heads over
 *       {@code context} positions, with the given feed-forward block ({@code ffn}) and attention pattern.
 * </ul>
 * An {@code mlp} with an {@code ffn} has a residual conditional block (moe, switch, base, pkm, peer, fff) of
 * its hidden width after every hidden layer. {@code factorization} reparameterizes an mlp's hidden weights
 * (low-rank, sparse plus low-rank, Monarch).
 *
 * @param activation       between layers: relu, tanh, sigmoid or gelu
 * @param outputActivation after the last layer: none (logits) or sigmoid
 * @param dropout          dropout rate after every hidden activation (0 = none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation,
                        Double dropout, List<LayerSpec> layers, Integer depth, Integer width, Integer heads,
                        Integer context, FfnSpec ffn, AttentionSpec attention, FactorizationSpec factorization) {
    public static final String MLP = "mlp";
    public static final String LENET5 = "lenet5";
    public static final String CNN = "cnn";
    public static final String TRANSFORMER = "transformer";
    static final List<LayerSpec> LENET5_LAYERS = List.of(LayerSpec.conv(6, 5, 2), LayerSpec.pool(2),
            LayerSpec.conv(16, 5, 0), LayerSpec.pool(2), LayerSpec.linear(120), LayerSpec.linear(84));

    public ModelSpec(String type, List<Integer> hidden, String activation) {
        this(type, hidden, activation, null, null, null);
    }

    public ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation, Double dropout) {
        this(type, hidden, activation, outputActivation, dropout, null);
    }

    public ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation, Double dropout,
                     List<LayerSpec> layers) {
        this(type, hidden, activation, outputActivation, dropout, layers, null, null, null, null, null, null, null);
    }

    /** Whether this model is trained by the conditional-computation trainer (not the mask-based one). */
    public boolean conditional() {
        return TRANSFORMER.equals(type) || ffn != null
                || factorization != null && !FactorizationSpec.DENSE.equals(factorization.kind());
    }

    /** The layer stack before the output layer, for every model type. */
    public List<LayerSpec> stack() {
        return switch (type) {
            case MLP -> hidden.stream().map(LayerSpec::linear).toList();
            case LENET5 -> LENET5_LAYERS;
            case TRANSFORMER -> List.of();
            default -> layers;
        };
    }

    ModelSpec withDefaults() {
        boolean mlp = MLP.equals(type);
        boolean transformer = TRANSFORMER.equals(type);
        List<Integer> h = mlp ? (hidden == null ? List.of(300, 100) : List.copyOf(hidden)) : null;
        int w = transformer ? (width == null ? 64 : width) : h == null || h.isEmpty() ? 0 : h.get(0);
        return new ModelSpec(type, h,
                activation == null ? (transformer ? "gelu" : "relu") : activation,
                outputActivation == null ? "none" : outputActivation,
                dropout == null ? 0.0 : dropout,
                CNN.equals(type) ? layers.stream().map(LayerSpec::withDefaults).toList() : null,
                transformer ? (depth == null ? 2 : depth) : null,
                transformer ? w : null,
                transformer ? (heads == null ? 4 : heads) : null,
                transformer ? (context == null ? 64 : context) : null,
                transformer ? (ffn == null ? new FfnSpec(FfnSpec.DENSE, null, null, null, null, null, null, null, null,
                        null, null, null) : ffn).withDefaults(w) : ffn == null ? null : ffn.withDefaults(w),
                transformer ? (attention == null ? AttentionSpec.DEFAULT : attention).withDefaults() : null,
                factorization == null ? null : factorization.withDefaults());
    }
}
