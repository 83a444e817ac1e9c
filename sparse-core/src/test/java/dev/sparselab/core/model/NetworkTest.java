package dev.sparselab.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.contracts.spec.TopkActivationSpec;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.train.Engines;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkTest {
    /** LeNet-5's conv1 at fraction 0.1 keeps a tenth of its 6 x 28 x 28 activations (it kept 1 of 4,704). */
    @Test
    void topKOnAConvLayerTakesTheFractionOfItsChannelsTimesPositions() {
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            NDArray map = m.randomUniform(0.1f, 1f, new Shape(2, 6, 28, 28));
            TopkActivationSpec spec = new TopkActivationSpec(null, null, null, 0.1).withDefaults();
            float[] kept = Network.topK(map, spec).toFloatArray();
            assertThat(4704 - Masks.countZeros(Arrays.copyOfRange(kept, 0, 4704))).isEqualTo(470);
            assertThat(4704 - Masks.countZeros(Arrays.copyOfRange(kept, 4704, 9408))).isEqualTo(470);
            NDArray fc = m.randomUniform(0.1f, 1f, new Shape(3, 300));
            float[] fcKept = Network.topK(fc, spec).toFloatArray();
            assertThat(300 - Masks.countZeros(Arrays.copyOfRange(fcKept, 0, 300))).isEqualTo(30);
        }
    }

    @Test
    void topKKeepsExactlyTheKLargestOfEveryExample() {
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            SplittableRandom rng = new SplittableRandom(2);
            float[] x = new float[4 * 50];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble(-1, 1);
            }
            float[] out = Network.topK(m.create(x, new Shape(4, 50)), 7).toFloatArray();
            for (int r = 0; r < 4; r++) {
                float[] row = Arrays.copyOfRange(x, r * 50, (r + 1) * 50);
                float[] kept = Arrays.copyOfRange(out, r * 50, (r + 1) * 50);
                assertThat(50 - Masks.countZeros(kept)).isEqualTo(7);
                float[] sorted = row.clone();
                Arrays.sort(sorted);
                for (int c = 0; c < 50; c++) {
                    if (kept[c] != 0f) {
                        assertThat(kept[c]).isEqualTo(row[c]).isGreaterThanOrEqualTo(sorted[43]);
                    }
                }
            }
            // a conv feature map [batch, channels, h, w]: k per example over all its entries
            NDArray map = m.randomUniform(0.1f, 1f, new Shape(2, 3, 4, 4));
            float[] sparse = Network.topK(map, 5).toFloatArray();
            assertThat(48 - Masks.countZeros(Arrays.copyOfRange(sparse, 0, 48))).isEqualTo(5);
            assertThat(48 - Masks.countZeros(Arrays.copyOfRange(sparse, 48, 96))).isEqualTo(5);
        }
    }

    @Test
    void thresholdZeroesSmallMagnitudesOnly() {
        try (NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            float[] out = Network.threshold(m.create(new float[]{-0.5f, 0.1f, 0.3f, -0.05f}), 0.3f).toFloatArray();
            for (int i = 0; i < out.length; i++) {
                out[i] += 0f; // -0.0 (a zeroed negative) reads as 0
            }
            assertThat(out).containsExactly(-0.5f, 0f, 0.3f, 0f);
        }
    }
}
