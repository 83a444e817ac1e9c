package dev.sparselab.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import dev.sparselab.contracts.spec.TrainingSpec;
import org.junit.jupiter.api.Test;

/** The loss options against their formulas. */
class LossesTest {
    static TrainingSpec training(String loss, String reduction, Double smoothing) {
        return new TrainingSpec(1, 2, null, 1L, loss, null, null, null, reduction, smoothing);
    }

    static float eval(Loss loss, float[] labels, Shape labelShape, float[] predictions) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = m.create(labels, labelShape);
            NDArray p = m.create(predictions, new Shape(2, 3));
            return loss.evaluate(new NDList(y), new NDList(p)).getFloat();
        }
    }

    @Test
    void mseSumOverOutputsIsHalfTheSquaredErrorSummedOverOutputsAveragedOverTheBatch() {
        float[] onehot = {1, 0, 0, 0, 1, 0};
        float[] pred = {0.5f, 0.2f, 0.1f, 0.3f, 0.6f, 0.0f};
        double sum = 0;
        for (int i = 0; i < 6; i++) {
            sum += (pred[i] - onehot[i]) * (pred[i] - onehot[i]);
        }
        assertThat(eval(Losses.of(training("mse", "sum-outputs", null)), onehot, new Shape(2, 3), pred))
                .isCloseTo((float) (0.5 * sum / 2), within(1e-6f));
        // the default divides by the 3 outputs as well
        assertThat(eval(Losses.of(training("mse", null, null)), onehot, new Shape(2, 3), pred))
                .isCloseTo((float) (0.5 * sum / 6), within(1e-6f));
    }

    @Test
    void labelSmoothingMixesTheOneHotTargetWithTheUniformOne() {
        float[] labels = {0, 2};
        float[] logits = {2f, 0.5f, -1f, 0f, 1f, 3f};
        double eps = 0.1;
        double expected = 0;
        for (int r = 0; r < 2; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 3; k++) {
                max = Math.max(max, logits[r * 3 + k]);
            }
            double z = 0;
            for (int k = 0; k < 3; k++) {
                z += Math.exp(logits[r * 3 + k] - max);
            }
            for (int k = 0; k < 3; k++) {
                double logp = logits[r * 3 + k] - max - Math.log(z);
                double q = (k == (int) labels[r] ? 1 - eps : 0) + eps / 3;
                expected -= q * logp;
            }
        }
        assertThat(eval(Losses.of(training("cross-entropy", null, 0.1)), labels, new Shape(2), logits))
                .isCloseTo((float) (expected / 2), within(1e-5f));
        // without smoothing it is DJL's softmax cross-entropy
        assertThat(eval(Losses.of(training("cross-entropy", null, null)), labels, new Shape(2), logits))
                .isCloseTo(eval(new Losses.SmoothedCrossEntropy(1e-12), labels, new Shape(2), logits), within(1e-5f));
    }
}
