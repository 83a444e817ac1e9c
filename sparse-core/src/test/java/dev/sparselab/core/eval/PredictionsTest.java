package dev.sparselab.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The evaluator's prediction step on fixed outputs: accuracy, top-5 and both losses, computed by hand. */
class PredictionsTest {
    @Test
    void accuracyAndCrossEntropyOverBatches() {
        ModelEvaluator.Predictions p = new ModelEvaluator.Predictions(3, false);
        float[] out = {2, 1, 0, 0, 5, 1};
        float[] logSoftmax = {-0.4076f, -1.4076f, -2.4076f, -5.0247f, -0.0247f, -4.0247f};
        p.add(out, logSoftmax, new int[]{0, 2}, 0, 2); // first right, second wrong
        p.add(new float[]{0, 0, 9}, new float[]{-9.0002f, -9.0002f, -0.0002f}, new int[]{0, 2, 2}, 2, 1);
        assertThat(p.accuracy(3)).isEqualTo(2.0 / 3);
        assertThat(p.meanLoss(3)).isCloseTo((0.4076 + 4.0247 + 0.0002) / 3, within(1e-4));
    }

    @Test
    void mseIsHalfTheMeanSquaredErrorOverTheOutputsAsTrained() {
        ModelEvaluator.Predictions p = new ModelEvaluator.Predictions(2, true);
        p.add(new float[]{0.5f, 0.5f}, null, new int[]{1}, 0, 1);
        // ((0 - 0.5)^2 / 2 + (1 - 0.5)^2 / 2) / 2 outputs
        assertThat(p.meanLoss(1)).isCloseTo(0.125, within(1e-9));
        // trained with the error summed over the outputs: its test loss is that sum
        ModelEvaluator.Predictions summed = new ModelEvaluator.Predictions(2, true, true);
        summed.add(new float[]{0.5f, 0.5f}, null, new int[]{1}, 0, 1);
        assertThat(summed.meanLoss(1)).isCloseTo(0.25, within(1e-9));
    }

    @Test
    void topFiveCountsOnlyAboveTenClasses() {
        float[] out = new float[12];
        for (int c = 0; c < 12; c++) {
            out[c] = c; // label 8 is 4th best: in the top 5, not the best
        }
        ModelEvaluator.Predictions many = new ModelEvaluator.Predictions(12, false);
        many.add(out, new float[12], new int[]{8}, 0, 1);
        assertThat(many.accuracy(1)).isZero();
        assertThat(many.top5(1)).isEqualTo(1.0);
        ModelEvaluator.Predictions ten = new ModelEvaluator.Predictions(10, false);
        ten.add(new float[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, new float[10], new int[]{8}, 0, 1);
        assertThat(ten.top5(1)).isZero();
    }
}
