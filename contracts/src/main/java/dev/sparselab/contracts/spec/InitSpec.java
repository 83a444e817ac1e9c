package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a layer's weights and biases are drawn before training (weight-sparse models: mlp, lenet5, cnn).
 * fan_in and fan_out are PyTorch's (inputs or outputs times kernel positions).
 * <ul>
 *   <li>{@code pytorch-default}: {@code nn.Linear}'s/{@code nn.Conv2d}'s own, U(±1/sqrt(fan_in)) (the default);
 *   <li>{@code kaiming-normal}: N(0, 2/fan_in); {@code kaiming-uniform}: U(±sqrt(6/fan_in)) (He et al., ReLU gain);
 *   <li>{@code xavier-normal}: N(0, 2/(fan_in+fan_out)); {@code xavier-uniform}: U(±sqrt(6/(fan_in+fan_out)));
 *   <li>{@code normal}: N(0, std²) (SET's reference code: std 0.1); {@code uniform}: U(±limit).
 * </ul>
 *
 * @param activeFanIn scale each output unit's weights by its <em>active</em> fan-in (the connections its initial
 *                    mask keeps) instead of the dense fan-in, after the mask is drawn (Evci et al. 2022, "Gradient
 *                    flow in sparse neural networks"); for the fan-in based schemes
 * @param bias        {@code pytorch-default} (U(±1/sqrt(fan_in))) or {@code zero}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InitSpec(String scheme, Double std, Double limit, Boolean activeFanIn, String bias) {
    public static final String PYTORCH_DEFAULT = "pytorch-default";
    public static final String KAIMING_NORMAL = "kaiming-normal";
    public static final String KAIMING_UNIFORM = "kaiming-uniform";
    public static final String XAVIER_NORMAL = "xavier-normal";
    public static final String XAVIER_UNIFORM = "xavier-uniform";
    public static final String NORMAL = "normal";
    public static final String UNIFORM = "uniform";
    public static final String ZERO = "zero";
    /** What a model without {@code init} gets. */
    public static final InitSpec DEFAULT = new InitSpec(null, null, null, null, null).withDefaults();

    InitSpec withDefaults() {
        return new InitSpec(scheme == null ? PYTORCH_DEFAULT : scheme, std, limit,
                activeFanIn != null && activeFanIn, bias == null ? PYTORCH_DEFAULT : bias);
    }
}
