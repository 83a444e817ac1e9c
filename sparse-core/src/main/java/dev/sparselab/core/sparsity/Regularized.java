package dev.sparselab.core.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.SparsitySpec;
import java.util.List;

/**
 * Sparsity through regularization, then thresholding and fine-tuning.
 * <ul>
 *   <li>{@code l1}: the loss gets lambda * ||W||_1, i.e. the gradient gets lambda * sign(W); after training
 *       the smallest |W| are pruned to the target (per layer, the spec's distribution).
 *   <li>{@code group-lasso}: the loss gets lambda * sum over neurons of ||W_row||_2, i.e. the gradient gets
 *       lambda * W_row / ||W_row||; after training the target fraction of hidden neurons with the smallest
 *       row norms is removed.
 * </ul>
 * The penalty applies during the training phase only, and is reported as {@code regularization.penalty}.
 */
final class Regularized implements SparsityMethod {
    private final SparsitySpec spec;
    private final float lambda;
    private final int finetuneEpochs;
    private final boolean groups;

    Regularized(SparsitySpec spec, double lambda, int finetuneEpochs, boolean groups) {
        this.spec = spec;
        this.lambda = (float) lambda;
        this.finetuneEpochs = finetuneEpochs;
        this.groups = groups;
    }

    @Override
    public void beforeUpdate(SparseState state, long step, int epoch) {
        if (step > state.trainSteps()) {
            return;
        }
        double penalty = 0;
        boolean report = step % state.stepsPerEpoch() == 0;
        try (NDManager scratch = state.manager().newSubManager()) {
            List<LayerShape> layers = state.sparseShapes();
            for (LayerShape l : layers) {
                if (groups && l.name().equals(state.shapes().get(state.shapes().size() - 1).name())) {
                    continue; // the output layer's rows are the classes, not removable groups
                }
                NDArray w = state.weightArray(l.name());
                NDArray g = state.gradientArray(l.name(), scratch);
                if (groups) {
                    NDArray rows = w.reshape(w.getShape().get(0), -1);
                    rows.attach(scratch);
                    NDArray norms = rows.square().sum(new int[]{1}, true).sqrt().addi(1e-12f);
                    norms.attach(scratch);
                    NDArray term = rows.div(norms).muli(lambda).reshape(w.getShape());
                    term.attach(scratch);
                    g.addi(term);
                    if (report) {
                        penalty += norms.sum().getFloat();
                    }
                } else {
                    NDArray term = w.sign().muli(lambda);
                    term.attach(scratch);
                    g.addi(term);
                    if (report) {
                        NDArray abs = w.abs().sum();
                        abs.attach(scratch);
                        penalty += abs.getFloat();
                    }
                }
            }
        }
        if (report) {
            state.report(List.of(new MetricPoint("regularization.penalty", step, epoch, lambda * penalty)));
        }
    }

    @Override
    public int extraEpochs() {
        return finetuneEpochs;
    }

    @Override
    public void afterTrainingPhase(SparseState state, long step, int epoch) {
        if (groups) {
            Structured.pruneNeurons(state, spec.target(), 2, step, epoch);
        } else {
            state.updateMasks(Methods.magnitudeMasks(state, spec.distribution(), false, spec.target()), step, epoch);
            state.report(List.of(new MetricPoint("prune.sparsity", step, epoch, state.sparsity())));
        }
    }
}
