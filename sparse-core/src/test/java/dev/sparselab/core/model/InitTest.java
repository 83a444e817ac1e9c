package dev.sparselab.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.spec.InitSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The initialization schemes: their scales as torch.nn.init defines them, and the active fan-in rescaling. */
class InitTest {
    static InitSpec init(String scheme, Double std, Double limit, String bias) {
        return new InitSpec(scheme, std, limit, false, bias);
    }

    static double std(float[] a) {
        double s = 0;
        double sq = 0;
        for (float v : a) {
            s += v;
            sq += v * v;
        }
        double m = s / a.length;
        return Math.sqrt(sq / a.length - m * m);
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void pytorchDefaultIsTheDrawTheTrainerAlwaysMade() {
        // the draw before init options existed: U(±1/sqrt(fan_in)) for weights, then biases, from one stream
        SplittableRandom old = new SplittableRandom(9);
        float[] w = new float[300 * 784];
        double bound = 1.0 / Math.sqrt(784);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((old.nextDouble() * 2 - 1) * bound);
        }
        float[] b = new float[300];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) ((old.nextDouble() * 2 - 1) * bound);
        }
        float[][] now = Init.draw(InitSpec.DEFAULT, w.length, 784, 300, 300, new SplittableRandom(9));
        assertThat(now[0]).containsExactly(w);
        assertThat(now[1]).containsExactly(b);
    }

    @Test
    void eachSchemeHasItsScale() {
        int fanIn = 1000;
        int fanOut = 500;
        int n = fanIn * fanOut;
        SplittableRandom rng = new SplittableRandom(1);
        assertThat(std(Init.draw(init("kaiming-normal", null, null, "zero"), n, fanIn, fanOut, fanOut, rng)[0]))
                .isCloseTo(Math.sqrt(2.0 / fanIn), within(0.01 * Math.sqrt(2.0 / fanIn)));
        assertThat(maxAbs(Init.draw(init("kaiming-uniform", null, null, "zero"), n, fanIn, fanOut, fanOut, rng)[0]))
                .isCloseTo(Math.sqrt(6.0 / fanIn), within(1e-3 * Math.sqrt(6.0 / fanIn)));
        assertThat(std(Init.draw(init("xavier-normal", null, null, "zero"), n, fanIn, fanOut, fanOut, rng)[0]))
                .isCloseTo(Math.sqrt(2.0 / (fanIn + fanOut)), within(0.01 * Math.sqrt(2.0 / (fanIn + fanOut))));
        assertThat(maxAbs(Init.draw(init("xavier-uniform", null, null, "zero"), n, fanIn, fanOut, fanOut, rng)[0]))
                .isCloseTo(Math.sqrt(6.0 / (fanIn + fanOut)), within(1e-3));
        float[][] normal = Init.draw(init("normal", 0.1, null, "zero"), n, fanIn, fanOut, fanOut, rng);
        assertThat(std(normal[0])).isCloseTo(0.1, within(0.001));
        assertThat(normal[1]).containsOnly(0f);
        assertThat(maxAbs(Init.draw(init("uniform", null, 0.05, "pytorch-default"), n, fanIn, fanOut, fanOut, rng)[0]))
                .isCloseTo(0.05, within(1e-4));
    }

    @Test
    void activeFanInScalesEachUnitByItsOwnConnections() {
        InitSpec kaiming = new InitSpec("kaiming-normal", null, null, true, "zero");
        int fanIn = 100;
        float[] w = new float[2 * fanIn];
        java.util.Arrays.fill(w, 1f);
        float[] mask = new float[2 * fanIn];
        for (int i = 0; i < 25; i++) {
            mask[i] = 1f; // unit 0 keeps 25 of 100 inputs
        }
        java.util.Arrays.fill(mask, fanIn, 2 * fanIn, 1f); // unit 1 is dense
        Init.scaleByActiveFanIn(kaiming, w, mask, fanIn, 7);
        assertThat(w[0]).isCloseTo(2f, within(1e-6f)); // sqrt(100 / 25)
        assertThat(w[fanIn]).isEqualTo(1f);
        // a fixed-scale scheme is not rescaled
        float[] fixed = {1f, 1f};
        Init.scaleByActiveFanIn(new InitSpec("normal", 0.1, null, false, "zero"), fixed, new float[]{1f, 0f}, 2, 1);
        assertThat(fixed).containsExactly(1f, 1f);
    }
}
