package dev.sparselab.core.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ReluThresholdSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code relu-threshold} (TEAL / CHESS style, training-free): after dense training, for every hidden layer
 * in order, tau is set to the {@code target} quantile of |activation| over {@code calibrationBatches} of
 * training data (measured with the thresholds of the earlier layers already in place), so that a
 * {@code target} fraction of activations is zeroed at inference. Weights are untouched.
 */
final class ActivationThreshold implements SparsityMethod {
    private final ReluThresholdSpec spec;
    private final int batchSize;

    ActivationThreshold(ReluThresholdSpec spec, int batchSize) {
        this.spec = spec;
        this.batchSize = batchSize;
    }

    /** The value below which a fraction q of |values| lies (exact order statistic). */
    static float quantile(float[] values, double q) {
        float[] abs = new float[values.length];
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(values[i]);
        }
        Arrays.sort(abs);
        int idx = (int) Math.round(q * abs.length);
        if (idx <= 0) {
            return 0f;
        }
        // entries strictly below tau are zeroed: tau is the smallest kept magnitude
        return idx >= abs.length ? Math.nextUp(abs[abs.length - 1]) : abs[idx];
    }

    @Override
    public void afterTrainingPhase(SparseState state, long step, int epoch) {
        Network net = state.network();
        Dataset data = state.data();
        int examples = Math.min(data.size(), spec.calibrationBatches() * batchSize);
        List<MetricPoint> points = new ArrayList<>();
        try (NDManager scratch = state.manager().newSubManager()) {
            ParameterStore store = new ParameterStore(scratch, false);
            Map<String, Integer> outputs = net.activationOutputs();
            for (String layer : outputs.keySet()) {
                NDList x = new NDList(scratch.create(Arrays.copyOf(data.features(), examples * data.featureDim()),
                        new Shape(examples, data.featureDim())));
                int index = 0;
                for (Pair<String, Block> child : net.block().getChildren()) {
                    x = child.getValue().forward(store, x, false);
                    if (index == outputs.get(layer) - 1) {
                        break; // the input of this layer's threshold block: the activation itself
                    }
                    index++;
                }
                NDArray a = x.singletonOrThrow();
                float tau = quantile(a.toFloatArray(), spec.target());
                net.setThreshold(layer, tau);
                points.add(new MetricPoint("activation.threshold." + layer, step, epoch, tau));
            }
        }
        state.report(points);
    }
}
