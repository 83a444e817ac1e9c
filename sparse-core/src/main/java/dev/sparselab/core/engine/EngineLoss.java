package dev.sparselab.core.engine;

import dev.sparselab.contracts.spec.TrainingSpec;

/**
 * The sparse engine's losses, as the masked-dense engine's ({@code train.Losses}) define them, on feature-major
 * logits: softmax cross-entropy (mean over the batch; with label smoothing epsilon, targets (1 - epsilon) one-hot +
 * epsilon / K), mse {@code mean} (1/2 the mean over batch and outputs, DJL's L2Loss) and mse {@code sum-outputs}
 * (1/2 the sum over outputs, mean over the batch).
 */
final class EngineLoss {
    private EngineLoss() {
    }

    /**
     * Writes the gradient of the batch's loss into {@code logits} (feature-major {@code [classes, batch]}) and returns
     * the loss and the number of correct predictions (arg-max, the first of equal maxima).
     */
    static double[] lossAndGradient(TrainingSpec t, float[] logits, int[] labels, int[] order, int start, int batch,
                                    int classes) {
        boolean mse = TrainingSpec.MSE.equals(t.loss());
        boolean sumOutputs = TrainingSpec.SUM_OUTPUTS.equals(t.reduction());
        double epsilon = t.labelSmoothing() == null ? 0 : t.labelSmoothing();
        double loss = 0;
        long correct = 0;
        double[] p = new double[classes];
        for (int e = 0; e < batch; e++) {
            int label = labels[order[start + e]];
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[c * batch + e] > logits[best * batch + e]) {
                    best = c;
                }
            }
            if (best == label) {
                correct++;
            }
            if (mse) {
                double scale = sumOutputs ? 1.0 / batch : 1.0 / ((double) batch * classes);
                for (int c = 0; c < classes; c++) {
                    double d = logits[c * batch + e] - (c == label ? 1.0 : 0.0);
                    loss += 0.5 * d * d * scale;
                    logits[c * batch + e] = (float) (d * scale);
                }
                continue;
            }
            double max = logits[best * batch + e];
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                p[c] = Math.exp(logits[c * batch + e] - max);
                sum += p[c];
            }
            double logSum = Math.log(sum);
            for (int c = 0; c < classes; c++) {
                double q = (c == label ? 1 - epsilon : 0) + epsilon / classes;
                double logP = logits[c * batch + e] - max - logSum;
                loss -= q * logP / batch;
                logits[c * batch + e] = (float) ((p[c] / sum - q) / batch);
            }
        }
        return new double[]{loss, correct};
    }
}
