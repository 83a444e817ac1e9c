package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * An mlp trained without an end-to-end backward pass (METHODS.md section 9); every layer learns from a loss of
 * its own, its input detached from the layers below.
 * <ul>
 *   <li>{@code forward-forward} (Hinton): a layer sees its input normalized, x / (||x|| + 1e-4); its goodness
 *       is g = mean(h^2); its loss softplus(theta - g_pos) + softplus(g_neg - theta). Positive examples carry
 *       their true label one-hot in the first {@code classes} features, negatives a random wrong one. The
 *       prediction is the label whose embedding gives the highest goodness summed over the layers (those sums
 *       are the model's logits).
 *   <li>{@code mono-forward}: each layer has its own projection to the classes and a cross-entropy loss; the
 *       last layer's projection predicts.
 * </ul>
 */
final class LocalNetwork extends ConditionalNetwork {
    private final ModelSpec m;
    private final TrainingSpec t;
    private final int features;
    private final int classes;
    private final boolean forwardForward;
    private final List<LinearMap> layers = new ArrayList<>();
    private final List<LinearMap> projections = new ArrayList<>();

    LocalNetwork(ModelSpec m, TrainingSpec t, int features, int classes, Weights w) {
        super(w);
        this.m = m;
        this.t = t;
        this.features = features;
        this.classes = classes;
        this.forwardForward = TrainingSpec.FORWARD_FORWARD.equals(t.algorithm());
        int in = features;
        for (int i = 0; i < m.hidden().size(); i++) {
            int out = m.hidden().get(i);
            layers.add(new LinearMap.Dense("fc" + (i + 1), in, out, w));
            if (!forwardForward) {
                projections.add(new LinearMap.Dense("fc" + (i + 1) + ".projection", out, classes, w));
            }
            in = out;
        }
    }

    static NDArray normalize(NDArray h) {
        return h.div(h.norm(new int[]{1}, true).add(1e-4f));
    }

    /** mean(h^2) per row. */
    static NDArray goodness(NDArray h) {
        return h.square().mean(new int[]{1});
    }

    /** Mean over the batch of softplus(theta - g_pos) + softplus(g_neg - theta). */
    static NDArray forwardForwardLoss(NDArray positive, NDArray negative, float theta) {
        return Activation.softPlus(positive.neg().add(theta)).add(Activation.softPlus(negative.sub(theta))).mean();
    }

    /**
     * The features with their first {@code classes} entries replaced by the one-hot label: 0, and the row's
     * largest feature at the label (as Hinton's reference code does, so the label stands out of standardized
     * pixels).
     */
    static float[] embed(float[] x, int[] labels, int features, int classes) {
        float[] out = x.clone();
        for (int i = 0; i < labels.length; i++) {
            float max = 0f;
            for (int j = i * features; j < (i + 1) * features; j++) {
                max = Math.max(max, x[j]);
            }
            java.util.Arrays.fill(out, i * features, i * features + classes, 0f);
            out[i * features + labels[i]] = max;
        }
        return out;
    }

    private NDArray layer(int i, NDArray h, Step step) {
        NDArray in = forwardForward ? normalize(h) : h;
        return Ops.activate(m.activation(), layers.get(i).forward(in, step));
    }

    /** The summed local losses of a batch (each layer's input detached). */
    NDArray localLoss(ConditionalModel.Batch batch, Step step) {
        int b = batch.examples();
        if (forwardForward) {
            int[] wrong = new int[b];
            for (int i = 0; i < b; i++) {
                wrong[i] = (batch.targets()[i] + 1 + step.rng.nextInt(classes - 1)) % classes;
            }
            NDArray pos = step.manager.create(embed(batch.features(), batch.targets(), features, classes),
                    new Shape(b, features));
            NDArray neg = step.manager.create(embed(batch.features(), wrong, features, classes),
                    new Shape(b, features));
            NDArray total = null;
            for (int i = 0; i < layers.size(); i++) {
                pos = layer(i, pos.stopGradient(), step);
                neg = layer(i, neg.stopGradient(), step);
                NDArray loss = forwardForwardLoss(goodness(pos), goodness(neg), t.goodnessThreshold().floatValue());
                total = total == null ? loss : total.add(loss);
            }
            return total;
        }
        NDArray h = step.manager.create(batch.features(), new Shape(b, features));
        NDArray targets = Ops.ints(step.manager, batch.targets(), b, 1);
        NDArray total = null;
        for (int i = 0; i < layers.size(); i++) {
            h = layer(i, h.stopGradient(), step);
            NDArray logits = projections.get(i).forward(h, step);
            NDArray loss = logits.logSoftmax(1).gather(targets, 1).neg().mean();
            total = total == null ? loss : total.add(loss);
        }
        return total;
    }

    @Override
    public NDArray logits(int[] tokens, float[] x, int batch, Step step) {
        if (!forwardForward) {
            NDArray h = step.manager.create(x, new Shape(batch, features));
            for (int i = 0; i < layers.size(); i++) {
                h = layer(i, h, step);
            }
            return projections.get(projections.size() - 1).forward(h, step);
        }
        NDList perLabel = new NDList();
        int[] labels = new int[batch];
        for (int c = 0; c < classes; c++) {
            java.util.Arrays.fill(labels, c);
            NDArray h = step.manager.create(embed(x, labels, features, classes), new Shape(batch, features));
            NDArray sum = null;
            for (int i = 0; i < layers.size(); i++) {
                h = layer(i, h, step);
                sum = sum == null ? goodness(h) : sum.add(goodness(h));
            }
            perLabel.add(sum);
        }
        return NDArrays.stack(perLabel, 1);
    }

    @Override
    public int rowsPerExample() {
        return 1;
    }

    @Override
    public ConditionalSize.Count size() {
        return ConditionalSize.local(m, t, features, classes);
    }
}
