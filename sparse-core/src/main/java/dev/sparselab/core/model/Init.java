package dev.sparselab.core.model;

import dev.sparselab.contracts.spec.InitSpec;
import java.util.SplittableRandom;

/**
 * Draws a layer's initial weights and biases as its {@link InitSpec} says, from a Java RNG so that a seed means
 * the same initialization on every engine and device. fan_in is the layer's inputs times kernel positions and
 * fan_out its outputs times kernel positions, as PyTorch's {@code torch.nn.init} computes them; the Kaiming
 * schemes use PyTorch's default gain, sqrt(2) (ReLU). Weights are drawn first, then biases, each in order.
 */
public final class Init {
    private Init() {
    }

    /** The weights ({@code [0]}) and biases ({@code [1]}) of a layer of {@code count} weights. */
    public static float[][] draw(InitSpec init, int count, int fanIn, int fanOut, int outputs, SplittableRandom rng) {
        float[] w = new float[count];
        switch (init.scheme()) {
            case InitSpec.PYTORCH_DEFAULT -> uniform(w, 1.0 / Math.sqrt(fanIn), rng);
            case InitSpec.KAIMING_UNIFORM -> uniform(w, Math.sqrt(6.0 / fanIn), rng);
            case InitSpec.KAIMING_NORMAL -> normal(w, Math.sqrt(2.0 / fanIn), rng);
            case InitSpec.XAVIER_UNIFORM -> uniform(w, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
            case InitSpec.XAVIER_NORMAL -> normal(w, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
            case InitSpec.NORMAL -> normal(w, init.std(), rng);
            case InitSpec.UNIFORM -> uniform(w, init.limit(), rng);
            default -> throw new IllegalArgumentException("unknown init scheme '" + init.scheme() + "'");
        }
        float[] b = new float[outputs];
        if (InitSpec.PYTORCH_DEFAULT.equals(init.bias())) {
            uniform(b, 1.0 / Math.sqrt(fanIn), rng);
        }
        return new float[][]{w, b};
    }

    /**
     * The factor by which a unit's weights are rescaled when its scheme counts only its active fan-in
     * ({@link InitSpec#activeFanIn()}): the scheme's scale at {@code active} inputs over its scale at the dense
     * fan-in. 1 for a unit with no active input (nothing to scale) and for the schemes with a fixed scale.
     */
    public static double activeFanInFactor(InitSpec init, int fanIn, int fanOut, int active) {
        if (active <= 0 || active == fanIn) {
            return 1;
        }
        return switch (init.scheme()) {
            case InitSpec.PYTORCH_DEFAULT, InitSpec.KAIMING_UNIFORM, InitSpec.KAIMING_NORMAL ->
                    Math.sqrt((double) fanIn / active);
            case InitSpec.XAVIER_UNIFORM, InitSpec.XAVIER_NORMAL -> Math.sqrt((double) (fanIn + fanOut) / (active + fanOut));
            default -> 1;
        };
    }

    /**
     * Rescales each output unit (row of {@code rowLength} weights) of a masked layer by its active fan-in
     * factor. Rows are the layer's outputs; {@code mask} has a 1 where a connection exists.
     */
    public static void scaleByActiveFanIn(InitSpec init, float[] weights, float[] mask, int rowLength, int fanOut) {
        for (int row = 0; row * rowLength < weights.length; row++) {
            int active = 0;
            for (int i = row * rowLength; i < (row + 1) * rowLength; i++) {
                if (mask[i] != 0) {
                    active++;
                }
            }
            float f = (float) activeFanInFactor(init, rowLength, fanOut, active);
            for (int i = row * rowLength; i < (row + 1) * rowLength; i++) {
                weights[i] *= f;
            }
        }
    }

    private static void uniform(float[] a, double bound, SplittableRandom rng) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
    }

    /** Normal draws by Box-Muller (the RNG's own Gaussian is not specified to be stable across JDKs). */
    private static void normal(float[] a, double std, SplittableRandom rng) {
        for (int i = 0; i < a.length; i += 2) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            a[i] = (float) (std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < a.length) {
                a[i + 1] = (float) (std * r * Math.sin(2 * Math.PI * u2));
            }
        }
    }
}
