package dev.sparselab.core.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.WandaSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wanda (Sun et al., "A Simple and Effective Pruning Approach for Large Language Models"): after dense
 * training, score every weight by |W_ij| * ||X_j||_2, the norm of its input feature over
 * {@code calibrationBatches} training batches, and prune the lowest-scoring {@code round(S * in)} weights
 * of every output row. Layers are pruned in order, each measured on the outputs of the already-pruned
 * layers before it. Optional fine-tuning afterwards ({@code finetuneEpochs}, default 0).
 *
 * <p>N:M variant ({@code n}, {@code m}): in every group of m consecutive inputs of a row the n highest scores are
 * kept, as the reference code's {@code prune_n}/{@code prune_m} path does (it names the count pruned: its 2:4 and
 * 4:8 are ours).
 */
final class Wanda implements SparsityMethod {
    private final WandaSpec spec;
    private final ModelSpec model;
    private final int batchSize;

    Wanda(WandaSpec spec, ModelSpec model, int batchSize) {
        this.spec = spec;
        this.model = model;
        this.batchSize = batchSize;
    }

    @Override
    public int extraEpochs() {
        return spec.finetuneEpochs();
    }

    /** Zeros per row: the lowest {@code zeros} scores of each row are pruned. */
    static float[] rowwise(float[] scores, int out, int in, int zeros) {
        float[] mask = new float[out * in];
        for (int r = 0; r < out; r++) {
            float[] row = java.util.Arrays.copyOfRange(scores, r * in, (r + 1) * in);
            System.arraycopy(Masks.keepLargest(row, zeros), 0, mask, r * in, in);
        }
        return mask;
    }

    /** Per row, per group of m consecutive inputs, the n highest scores kept. */
    static float[] nmwise(float[] scores, int out, int in, int n, int m) {
        float[] mask = new float[out * in];
        for (int start = 0; start < out * in; start += m) {
            float[] group = java.util.Arrays.copyOfRange(scores, start, start + m);
            System.arraycopy(Masks.keepLargest(group, m - n), 0, mask, start, m);
        }
        return mask;
    }

    @Override
    public void afterTrainingPhase(SparseState state, long step, int epoch) {
        if (state.network().layers().stream().anyMatch(Network.Layer::isConv)) {
            throw new IllegalArgumentException("wanda is implemented for fully connected models only (mlp); "
                    + "this model has conv layers");
        }
        if (spec.nm()) {
            for (LayerShape l : state.sparseShapes()) {
                if (l.fanIn() % spec.m() != 0) {
                    throw new IllegalArgumentException("wanda: layer " + l.name() + " has " + l.fanIn() + " inputs, "
                            + "not a multiple of m = " + spec.m() + "; keep it dense (denseLayers) or choose another m");
                }
            }
        }
        Dataset data = state.data();
        int examples = Math.min(data.size(), spec.calibrationBatches() * batchSize);
        List<LayerShape> layers = state.shapes();
        Map<String, float[]> masks = new LinkedHashMap<>();
        try (NDManager scratch = state.manager().newSubManager()) {
            float[] xs = java.util.Arrays.copyOf(data.features(), examples * data.featureDim());
            NDArray x = scratch.create(xs, new Shape(examples, data.featureDim()));
            for (int i = 0; i < layers.size(); i++) {
                LayerShape l = layers.get(i);
                int out = l.out();
                int in = l.fanIn();
                float[] w = state.weights(l.name());
                if (!state.denseLayers().contains(l.name())) {
                    float[] norms = x.square().sum(new int[]{0}).sqrt().toFloatArray();
                    float[] scores = new float[w.length];
                    for (int r = 0; r < out; r++) {
                        for (int c = 0; c < in; c++) {
                            scores[r * in + c] = Math.abs(w[r * in + c]) * norms[c];
                        }
                    }
                    float[] mask = spec.nm() ? nmwise(scores, out, in, spec.n(), spec.m())
                            : rowwise(scores, out, in, (int) Math.round(spec.target() * in));
                    masks.put(l.name(), mask);
                    for (int j = 0; j < w.length; j++) {
                        w[j] *= mask[j];
                    }
                }
                if (i < layers.size() - 1) {
                    NDArray weight = scratch.create(w, new Shape(out, in));
                    NDArray bias = scratch.create(state.biases(l.name()));
                    NDArray h = x.matMul(weight.transpose()).add(bias);
                    x = Network.activate(model.activation(), h);
                }
            }
        }
        state.updateMasks(masks, step, epoch);
        state.report(List.of(new MetricPoint("prune.sparsity", step, epoch, state.sparsity())));
    }
}
