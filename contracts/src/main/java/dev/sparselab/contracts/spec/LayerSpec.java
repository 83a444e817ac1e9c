package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One layer of a {@code cnn} model: {@code conv} (channels, kernel, stride, padding), {@code pool}
 * (max pooling of size x size), or {@code linear} (units). The output layer is added automatically.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerSpec(String type, Integer channels, Integer kernel, Integer stride, Integer padding, Integer size,
                        Integer units) {
    public static LayerSpec conv(int channels, int kernel, int padding) {
        return new LayerSpec("conv", channels, kernel, 1, padding, null, null);
    }

    public static LayerSpec pool(int size) {
        return new LayerSpec("pool", null, null, null, null, size, null);
    }

    public static LayerSpec linear(int units) {
        return new LayerSpec("linear", null, null, null, null, null, units);
    }

    LayerSpec withDefaults() {
        return switch (type) {
            case "conv" -> new LayerSpec(type, channels, kernel == null ? 3 : kernel, stride == null ? 1 : stride,
                    padding == null ? 0 : padding, null, null);
            case "pool" -> new LayerSpec(type, null, null, null, null, size == null ? 2 : size, null);
            default -> this;
        };
    }
}
