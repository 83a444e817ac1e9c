package dev.sparselab.core.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sparselab.contracts.spec.NmSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Semi-structured N:M sparsity: in every group of m consecutive input weights of a row, the n largest
 * |W| are kept. For a conv kernel [out, in, kh, kw] the groups run along the input channels at each kernel
 * position (as SR-STE's reference code and NVIDIA's ASP do: the pattern sparse tensor cores accelerate), so the
 * input channels must be a multiple of m. The dense weights are trained; every forward pass uses W * M with M recomputed from them.
 * <ul>
 *   <li>{@code srste} (SR-STE, Zhou et al.): the gradient of the masked product is applied to the dense
 *       weights (straight-through), plus lambdaW * (1 - M) * W, which pulls pruned weights to zero.
 *   <li>{@code decay}: the gradient reaching pruned weights is scaled by beta_t = 1 - t / T, decaying
 *       linearly to zero over training.
 * </ul>
 * At the end the weights are pruned to N:M for good, so the stored model obeys N:M in every group.
 */
final class NmSparsity implements SparsityMethod {
    private final NmSpec spec;
    private final Map<String, NDArray> denseWeights = new LinkedHashMap<>();
    private final Map<String, NDArray> masks = new LinkedHashMap<>();

    NmSparsity(NmSpec spec) {
        this.spec = spec;
    }

    @Override
    public Double forwardDensity() {
        return (double) spec.n() / spec.m();
    }

    @Override
    public boolean denseWeightGradients() {
        return true; // the straight-through gradient reaches every weight
    }

    @Override
    public void init(SparseState state) {
        for (LayerShape l : state.sparseShapes()) {
            int in = l.dims()[1];
            if (in % spec.m() != 0) {
                throw new IllegalArgumentException("nm: layer " + l.name() + " has " + in + " input"
                        + (l.dims().length == 4 ? " channels" : "s") + ", not a multiple of m = " + spec.m()
                        + "; keep it dense (denseLayers) or choose another m");
            }
        }
    }

    /**
     * The N:M mask of a weight: per group of m consecutive input weights of a row [out, in], or of m consecutive
     * input channels at one kernel position of a conv kernel [out, in, kh, kw], the n largest |W|.
     */
    static NDArray mask(NDArray w, int n, int m) {
        boolean conv = w.getShape().dimension() == 4;
        try (NDManager scratch = w.getManager().newSubManager()) {
            // channels last for a conv: [out, kh, kw, in]
            NDArray magnitude = conv ? w.abs().transpose(0, 2, 3, 1) : w.abs();
            magnitude.attach(scratch);
            ai.djl.ndarray.types.Shape laidOut = magnitude.getShape();
            long in = laidOut.get(laidOut.dimension() - 1);
            NDArray groups = magnitude.reshape(magnitude.size() / in, in / m, m);
            groups.attach(scratch);
            // rank within each group: 0 = largest
            NDArray ranks = groups.neg().argSort(2).argSort(2);
            ranks.attach(scratch);
            NDArray keep = ranks.lt(n).toType(DataType.FLOAT32, false).reshape(laidOut);
            keep.attach(scratch);
            NDArray out = conv ? keep.transpose(0, 3, 1, 2).duplicate() : keep.duplicate();
            out.attach(w.getManager());
            return out;
        }
    }

    @Override
    public void beforeForward(SparseState state, long step, int epoch) {
        for (LayerShape l : state.sparseShapes()) {
            NDArray w = state.weightArray(l.name());
            NDArray dense = w.duplicate();
            NDArray old = denseWeights.put(l.name(), dense);
            if (old != null) {
                old.close();
            }
            NDArray m = mask(w, spec.n(), spec.m());
            NDArray oldMask = masks.put(l.name(), m);
            if (oldMask != null) {
                oldMask.close();
            }
            w.muli(m);
        }
    }

    @Override
    public void beforeUpdate(SparseState state, long step, int epoch) {
        double beta = Math.max(0.0, 1.0 - (double) step / state.trainSteps());
        try (NDManager scratch = state.manager().newSubManager()) {
            for (LayerShape l : state.sparseShapes()) {
                NDArray w = state.weightArray(l.name());
                NDArray dense = denseWeights.get(l.name());
                NDArray m = masks.get(l.name());
                NDArray g = state.gradientArray(l.name(), scratch);
                NDArray pruned = m.neg().add(1f);
                pruned.attach(scratch);
                if ("srste".equals(spec.recipe())) {
                    NDArray decay = pruned.mul(dense).muli(spec.lambdaW().floatValue());
                    decay.attach(scratch);
                    g.addi(decay);
                } else {
                    NDArray scale = pruned.mul((float) beta).addi(m);
                    scale.attach(scratch);
                    g.muli(scale);
                }
                // the optimizer updates the dense weights
                w.subi(w).addi(dense);
            }
        }
    }

    @Override
    public void onTrainingEnd(SparseState state, long step, int epoch) {
        Map<String, float[]> finalMasks = new LinkedHashMap<>();
        for (LayerShape l : state.sparseShapes()) {
            try (NDArray m = mask(state.weightArray(l.name()), spec.n(), spec.m())) {
                finalMasks.put(l.name(), m.toFloatArray());
            }
        }
        denseWeights.values().forEach(NDArray::close);
        masks.values().forEach(NDArray::close);
        state.updateMasks(finalMasks, step, epoch);
    }
}
