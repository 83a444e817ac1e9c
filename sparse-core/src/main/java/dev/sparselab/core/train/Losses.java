package dev.sparselab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import dev.sparselab.contracts.spec.TrainingSpec;

/**
 * The training loss a spec asks for. The defaults are DJL's own (softmax cross-entropy; L2Loss, 1/2 the mean
 * over batch and outputs); the reference-code options are computed here:
 * <ul>
 *   <li>mse, {@code sum-outputs}: 1/2 the sum over outputs, mean over the batch, so the gradient at each output is
 *       (y_hat - y) / batch, as SET's numpy code and Keras-era code back-propagate it (DJL's mean also divides by
 *       the number of outputs);
 *   <li>cross-entropy with label smoothing epsilon: -sum_k q_k log softmax(z)_k with q = (1 - epsilon) one-hot +
 *       epsilon / K, as {@code torch.nn.CrossEntropyLoss(label_smoothing=epsilon)}.
 * </ul>
 * Labels: class indices for cross-entropy, one-hot rows for mse.
 */
public final class Losses {
    private Losses() {
    }

    public static Loss of(TrainingSpec training) {
        if (TrainingSpec.MSE.equals(training.loss())) {
            return TrainingSpec.SUM_OUTPUTS.equals(training.reduction()) ? new SumOverOutputs() : Loss.l2Loss();
        }
        Double epsilon = training.labelSmoothing();
        return epsilon == null || epsilon == 0 ? Loss.softmaxCrossEntropyLoss() : new SmoothedCrossEntropy(epsilon);
    }

    static final class SumOverOutputs extends Loss {
        SumOverOutputs() {
            super("L2LossSumOverOutputs");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray diff = predictions.singletonOrThrow().sub(labels.singletonOrThrow());
            return diff.square().sum(new int[]{1}).mul(0.5f).mean();
        }
    }

    static final class SmoothedCrossEntropy extends Loss {
        private final float epsilon;

        SmoothedCrossEntropy(double epsilon) {
            super("SoftmaxCrossEntropyLabelSmoothing");
            this.epsilon = (float) epsilon;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray logits = predictions.singletonOrThrow();
            int classes = (int) logits.getShape().get(1);
            NDArray target = labels.singletonOrThrow().oneHot(classes).mul(1 - epsilon).add(epsilon / classes);
            return target.mul(logits.logSoftmax(1)).sum(new int[]{1}).neg().mean();
        }
    }
}
