package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured pruning of neurons: removes whole rows of a layer's weight (and its bias entries), and
 * the matching input columns of the next layer. The output layer's neurons (the classes) are never removed.
 */
final class Structured {
    private Structured() {
    }

    /** Row norms of a weight [out, in]: L1 ({@code p = 1}) or L2 ({@code p = 2}). */
    static float[] rowNorms(float[] w, int out, int in, int p) {
        float[] norms = new float[out];
        for (int r = 0; r < out; r++) {
            double sum = 0;
            for (int c = 0; c < in; c++) {
                float v = w[r * in + c];
                sum += p == 1 ? Math.abs(v) : (double) v * v;
            }
            norms[r] = (float) (p == 1 ? sum : Math.sqrt(sum));
        }
        return norms;
    }

    /**
     * Removes {@code round(fraction * out)} neurons of every hidden, non-dense layer: those whose rows have
     * the smallest norm. Installs the weight and bias masks and reports {@code prune.neurons.<layer>}.
     */
    static void pruneNeurons(SparseState state, double fraction, int norm, long step, int epoch) {
        List<LayerShape> layers = state.shapes();
        Map<String, float[]> weightMasks = new LinkedHashMap<>();
        Map<String, float[]> biasMasks = new LinkedHashMap<>();
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < layers.size() - 1; i++) {
            LayerShape l = layers.get(i);
            if (state.denseLayers().contains(l.name())) {
                continue;
            }
            int out = l.out();
            int in = l.fanIn();
            float[] w = state.weights(l.name());
            float[] keepRows = Masks.keepLargest(rowNorms(w, out, in, norm), (int) Math.round(fraction * out));
            float[] mask = weightMasks.computeIfAbsent(l.name(), k -> Masks.ones(out * in));
            for (int r = 0; r < out; r++) {
                if (keepRows[r] == 0f) {
                    Arrays.fill(mask, r * in, (r + 1) * in, 0f);
                }
            }
            biasMasks.put(l.name(), keepRows);
            LayerShape next = layers.get(i + 1);
            int nextIn = next.fanIn();
            // each unit of this layer feeds a block of the next layer's fan-in: 1 input of a Linear,
            // kh*kw positions of a conv, H*W positions of a flattened feature map (channel-major)
            int block = nextIn / out;
            float[] nextMask = weightMasks.computeIfAbsent(next.name(), k -> Masks.ones(next.count()));
            for (int r = 0; r < next.out(); r++) {
                for (int c = 0; c < nextIn; c++) {
                    if (keepRows[c / block] == 0f) {
                        nextMask[r * nextIn + c] = 0f;
                    }
                }
            }
            points.add(new MetricPoint("prune.neurons." + l.name(), step, epoch, out - Masks.countZeros(keepRows)));
        }
        state.updateMasks(weightMasks, step, epoch);
        state.updateBiasMasks(biasMasks);
        points.add(new MetricPoint("prune.sparsity", step, epoch, state.sparsity()));
        state.report(points);
    }
}
