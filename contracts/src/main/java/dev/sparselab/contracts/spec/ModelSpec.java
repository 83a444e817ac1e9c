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
 * @param init             how weights and biases are drawn (null: PyTorch's default, {@link InitSpec#DEFAULT})
 * @param layerInit        per-layer overrides of {@code init}, by layer name ({@code fc1}, {@code conv2}, ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String type, List<Integer> hidden, String activation, String outputActivation,
                        Double dropout, List<LayerSpec> layers, Integer depth, Integer width, Integer heads,
                        Integer context, FfnSpec ffn, AttentionSpec attention, FactorizationSpec factorization,
                        InitSpec init, java.util.Map<String, InitSpec> layerInit) {
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
        this(type, hidden, activation, outputActivation, dropout, layers, null, null, null, null, null, null, null, null,
                null);
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
                transformer ? (ffn == null ? new FfnSpec(FfnSpec.DENSE, null) : ffn).withDefaults(w) : ffn == null ? null : ffn.withDefaults(w),
                transformer ? (attention == null ? AttentionSpec.DEFAULT : attention).withDefaults() : null,
                factorization == null ? null : factorization.withDefaults(),
                // absent stays absent (PyTorch's default): specs stored before the option existed keep their hash
                init == null ? null : init.withDefaults(),
                layerInit == null ? null : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(
                        layerInit.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                                java.util.Map.Entry::getKey, e -> e.getValue().withDefaults())))));
    }

    /** The names of the parametric layers of a weight-sparse model: conv1.., then fc1.. (the output layer last). */
    public List<String> layerNames() {
        List<LayerSpec> s = stack();
        List<String> names = new java.util.ArrayList<>();
        int convs = 0;
        int linears = 0;
        for (LayerSpec l : s == null ? List.<LayerSpec>of() : s) {
            if ("conv".equals(l.type())) {
                names.add("conv" + ++convs);
            } else if (!"pool".equals(l.type())) {
                names.add("fc" + ++linears);
            }
        }
        names.add("fc" + (linears + 1));
        return names;
    }

    /** The initialization of a layer: its override, else the model's, else PyTorch's default. */
    public InitSpec initOf(String layer) {
        if (layerInit != null && layerInit.containsKey(layer)) {
            return layerInit.get(layer);
        }
        return init == null ? InitSpec.DEFAULT : init;
    }
}
