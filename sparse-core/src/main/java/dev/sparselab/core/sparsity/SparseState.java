package dev.sparselab.core.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import dev.sparselab.core.optim.MaskedOptimizer;
import dev.sparselab.core.train.TrainingListener;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a sparsity method sees and changes during training: the layers, their weights, gradients and
 * masks, and the optimizer's state. Changing masks goes through {@link #updateMasks}, which keeps the
 * invariants (masked weights are zero, the optimizer state of changed positions is reset) and reports
 * the change as metric points. Used on the training thread only.
 */
public final class SparseState {
    private final Network net;
    private final MaskedOptimizer optimizer;
    private final NDManager manager;
    private final TrainingListener listener;
    private final List<LayerShape> shapes = new ArrayList<>();
    private final Set<String> dense;
    private final long trainSteps;
    private final int stepsPerEpoch;
    private final Map<String, float[]> masks = new LinkedHashMap<>();
    private final Map<String, NDArray> deviceMasks = new LinkedHashMap<>();
    private final Map<String, NDArray> biasMasks = new LinkedHashMap<>();
    private final Dataset data;
    private boolean maskGradients = true;
    private boolean resetChangedState = true;
    /** Changes whenever a device mask (weight or bias) or the gradient masking changes. */
    private int maskVersion;
    private final Map<String, Long> positions = new LinkedHashMap<>();
    private final dev.sparselab.core.train.FlopCounter flops = new dev.sparselab.core.train.FlopCounter();
    private boolean denseGradientThisStep;

    public SparseState(Network net, MaskedOptimizer optimizer, NDManager manager, TrainingListener listener,
                       List<String> denseLayers, long trainSteps, int stepsPerEpoch, Dataset data) {
        this.net = net;
        this.data = data;
        this.optimizer = optimizer;
        this.manager = manager;
        this.listener = listener;
        for (Network.Layer l : net.layers()) {
            shapes.add(new LayerShape(l.name(), java.util.Arrays.stream(l.weightShape()).mapToInt(x -> (int) x).toArray()));
        }
        this.dense = Distributions.denseSet(shapes, denseLayers);
        this.trainSteps = trainSteps;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    /** Sets, per layer, the output positions per example (1 for Linear; height * width for a conv). */
    public void setPositions(Map<String, Long> perLayer) {
        positions.putAll(perLayer);
    }

    /** The current step computes dense weight gradients (a RigL update): charged by {@link #countStep}. */
    public void chargeDenseGradient() {
        denseGradientThisStep = true;
    }

    /** Inference FLOPs per example with the current masks (or a forward density), as the evaluator counts. */
    public double forwardFlops(Double forwardDensity) {
        double f = 0;
        for (LayerShape l : shapes) {
            float[] m = masks.get(l.name());
            double nnz = forwardDensity != null && !dense.contains(l.name()) ? forwardDensity * l.count()
                    : m == null ? l.count() : l.count() - Masks.countZerosCached(l.name(), m, nnzCache);
            f += 2 * nnz * positions.getOrDefault(l.name(), 1L);
        }
        return f;
    }

    /** Dense inference FLOPs per example. */
    public double denseFlops() {
        double f = 0;
        for (LayerShape l : shapes) {
            f += 2.0 * l.count() * positions.getOrDefault(l.name(), 1L);
        }
        return f;
    }

    /**
     * Adds one training step over {@code batch} examples: forward f_S, backward to the activations f_S,
     * weight gradients f_S, or f_D when they are dense (the RigL paper's counting).
     */
    public void countStep(int batch, Double forwardDensity, boolean denseWeightGradients) {
        boolean dense = denseWeightGradients || denseGradientThisStep;
        flops.countStep(batch, forwardFlops(forwardDensity), dense ? denseFlops() : 0, dense);
        denseGradientThisStep = false;
    }

    public double trainingFlops() {
        return flops.total();
    }

    /** Restores the training FLOPs counted before a checkpoint. */
    public void setTrainingFlops(double counted) {
        flops.restore(counted);
    }

    /** Host copies of the bias masks (structured pruning), by layer. */
    public Map<String, float[]> biasMasks() {
        Map<String, float[]> out = new LinkedHashMap<>();
        biasMasks.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /**
     * Installs masks saved in a checkpoint as they were: no metric points, no optimizer reset (the
     * optimizer state is restored separately), then applies them.
     */
    public void restoreMasks(Map<String, float[]> weightMasks, Map<String, float[]> biasMaskValues) {
        deviceMasks.values().forEach(NDArray::close);
        deviceMasks.clear();
        masks.clear();
        nnzCache.clear();
        weightMasks.forEach((name, m) -> {
            masks.put(name, m);
            deviceMasks.put(name, manager.create(m, new Shape(layer(name).weightShape())));
            maskVersion++;
        });
        biasMasks.values().forEach(NDArray::close);
        biasMasks.clear();
        biasMaskValues.forEach((name, m) -> biasMasks.put(name, manager.create(m)));
        maskVersion++;
        applyMasks();
    }

    private final Map<String, Integer> nnzCache = new LinkedHashMap<>();

    /** The training split (for calibration data). */
    public Dataset data() {
        return data;
    }

    public Network network() {
        return net;
    }

    public NDManager manager() {
        return manager;
    }

    /** Whether the optimizer zeroes the gradients of masked weights (default); SNFS needs them dense. */
    public boolean maskGradients() {
        return maskGradients;
    }

    public void setMaskGradients(boolean mask) {
        this.maskGradients = mask;
        maskVersion++;
    }

    /** The device mask of a layer's bias (structured pruning), or null. */
    public NDArray deviceBiasMask(String name) {
        return biasMasks.get(name);
    }

    /** Masks biases of some layers (0 = removed neuron); applied with the weight masks after every step. */
    public void updateBiasMasks(Map<String, float[]> masks) {
        masks.forEach((name, m) -> {
            NDArray old = biasMasks.put(name, manager.create(m));
            maskVersion++;
            if (old != null) {
                old.close();
            }
        });
        applyMasks();
    }

    /** A host copy of a layer's bias. */
    public float[] biases(String name) {
        return layer(name).bias().getArray().toFloatArray();
    }

    public void setBiases(String name, float[] values) {
        layer(name).bias().getArray().set(FloatBuffer.wrap(values));
    }

    /** The live gradient array of a layer's weight (changes to it change what the optimizer applies). */
    public NDArray gradientArray(String name, NDManager scratch) {
        NDArray g = layer(name).weight().getArray().getGradient();
        g.attach(scratch);
        return g;
    }

    /** The live weight array of a layer. */
    public NDArray weightArray(String name) {
        return layer(name).weight().getArray();
    }

    /** A host copy of the optimizer's first state array (SGD momentum, Adam's first moment), or null. */
    public float[] momentum(String name) {
        NDArray[] s = optimizer.stateOf(name + ".weight");
        return s == null ? null : s[0].toFloatArray();
    }

    /** Host copies of a layer weight's optimizer state arrays (SGD: momentum; Adam: m, v), or null. */
    public float[][] optimizerState(String name) {
        NDArray[] s = optimizer.stateOf(name + ".weight");
        if (s == null) {
            return null;
        }
        float[][] out = new float[s.length][];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i].toFloatArray();
        }
        return out;
    }

    /**
     * The momentum a method that grows by momentum reads: SGD's momentum buffer, or under Adam the normalized
     * first moment m / (sqrt(v) + 1e-8) (as sparse momentum's reference code reads it); null before the first
     * update.
     */
    public float[] normalizedMomentum(String name) {
        NDArray[] s = optimizer.stateOf(name + ".weight");
        if (s == null) {
            return null;
        }
        float[] m = s[0].toFloatArray();
        if (s.length == 1) {
            return m;
        }
        float[] v = s[1].toFloatArray();
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (m[i] / (Math.sqrt(v[i]) + 1e-8));
        }
        return m;
    }

    /**
     * Whether {@link #updateMasks} zeroes the optimizer state where a mask entry changed (the default). A method
     * that keeps state for absent weights on purpose (sparse momentum) turns it off and sets the state itself.
     */
    public void setResetChangedState(boolean reset) {
        this.resetChangedState = reset;
    }

    /**
     * Sets every optimizer state array of a layer's weight, at the positions its mask leaves out, to the mean of
     * that array over the positions the mask keeps (sparse momentum's {@code reset_momentum}).
     */
    public void fillAbsentStateWithActiveMean(String name) {
        NDArray[] s = optimizer.stateOf(name + ".weight");
        float[] mask = masks.get(name);
        if (s == null || mask == null) {
            return;
        }
        for (int a = 0; a < Math.min(s.length, 2); a++) { // the moments, not Adam's per-position reset steps
            float[] v = s[a].toFloatArray();
            double sum = 0;
            long active = 0;
            for (int i = 0; i < v.length; i++) {
                if (mask[i] != 0f) {
                    sum += v[i];
                    active++;
                }
            }
            float mean = active == 0 ? 0f : (float) (sum / active);
            for (int i = 0; i < v.length; i++) {
                if (mask[i] == 0f) {
                    v[i] = mean;
                }
            }
            s[a].set(FloatBuffer.wrap(v));
        }
    }

    /** Forgets all optimizer state (e.g. when rewinding weights for a new lottery-ticket round). */
    public void resetOptimizer() {
        optimizer.close();
    }

    public List<LayerShape> shapes() {
        return shapes;
    }

    /** A number that changes whenever the device masks the optimizer is given change (for caching its targets). */
    public int maskVersion() {
        return maskVersion;
    }

    /** Layers the spec keeps dense ({@code denseLayers}). */
    public Set<String> denseLayers() {
        return dense;
    }

    /** Layers a method may sparsify, in forward order. */
    public List<LayerShape> sparseShapes() {
        return shapes.stream().filter(s -> !dense.contains(s.name())).toList();
    }

    /** Optimizer steps of the training phase (without fine-tuning). */
    public long trainSteps() {
        return trainSteps;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    private Network.Layer layer(String name) {
        return net.layers().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer " + name));
    }

    /** A host copy of a layer's weights. */
    public float[] weights(String name) {
        return layer(name).weight().getArray().toFloatArray();
    }

    /** Overwrites a layer's weights (masks are applied afterwards by the caller's next step). */
    public void setWeights(String name, float[] values) {
        layer(name).weight().getArray().set(FloatBuffer.wrap(values));
    }

    /** A host copy of the gradient of a layer's weights from the last backward pass (dense: not masked). */
    public float[] gradient(String name) {
        try (NDArray g = layer(name).weight().getArray().getGradient()) {
            return g.toFloatArray();
        }
    }

    /** The current mask of a layer, or null when it is dense. */
    public float[] mask(String name) {
        return masks.get(name);
    }

    /** The masks by layer name (dense layers absent). */
    public Map<String, float[]> masks() {
        return masks;
    }

    /** The device mask of a layer for the optimizer, or null. */
    public NDArray deviceMask(String name) {
        return deviceMasks.get(name);
    }

    /**
     * Installs new masks for some layers: applies them to the weights, resets the optimizer state where
     * a mask entry changed, and reports per layer the connections dropped, grown and the IoU with the
     * previous mask (a layer without a mask before counts as all ones).
     */
    public void updateMasks(Map<String, float[]> newMasks, long step, int epoch) {
        List<MetricPoint> points = new ArrayList<>();
        for (Map.Entry<String, float[]> e : newMasks.entrySet()) {
            String name = e.getKey();
            float[] before = masks.getOrDefault(name, Masks.ones(e.getValue().length));
            float[] after = e.getValue();
            Masks.Churn churn = Masks.Churn.between(before, after);
            points.add(new MetricPoint("mask." + name + ".dropped", step, epoch, churn.dropped()));
            points.add(new MetricPoint("mask." + name + ".grown", step, epoch, churn.grown()));
            points.add(new MetricPoint("mask." + name + ".iou", step, epoch, churn.iou()));
            points.add(new MetricPoint("mask." + name + ".sparsity", step, epoch,
                    (double) Masks.countZeros(after) / after.length));
            Network.Layer l = layer(name);
            Shape shape = new Shape(l.weightShape());
            NDArray device = manager.create(after, shape);
            NDArray old = deviceMasks.put(name, device);
            maskVersion++;
            if (old != null) {
                old.close();
            }
            masks.put(name, after);
            nnzCache.remove(name);
            if (resetChangedState) {
                float[] unchanged = new float[after.length];
                for (int i = 0; i < after.length; i++) {
                    unchanged[i] = before[i] == after[i] ? 1f : 0f;
                }
                try (NDArray keep = manager.create(unchanged, shape)) {
                    optimizer.resetState(l.name() + ".weight", keep);
                }
            }
            l.weight().getArray().muli(device);
        }
        points.add(new MetricPoint("mask.sparsity", step, epoch, maskSparsity()));
        listener.onMetrics(points);
    }

    /** Multiplies every masked weight by its mask (keeps masked weights exactly zero). */
    public void applyMasks() {
        for (Network.Layer l : net.layers()) {
            NDArray m = deviceMasks.get(l.name());
            if (m != null) {
                l.weight().getArray().muli(m);
            }
            NDArray b = biasMasks.get(l.name());
            if (b != null) {
                l.bias().getArray().muli(b);
            }
        }
    }

    /** Fraction of masked-out weights over all layers (layers without a mask count as dense). */
    public double maskSparsity() {
        long zeros = 0;
        long total = 0;
        for (LayerShape l : shapes) {
            float[] m = masks.get(l.name());
            zeros += m == null ? 0 : Masks.countZeros(m);
            total += l.count();
        }
        return (double) zeros / total;
    }

    /** Fraction of exactly-zero weights over all layers. */
    public double sparsity() {
        long zeros = 0;
        long total = 0;
        for (Network.Layer l : net.layers()) {
            zeros += Masks.countZeros(l.weight().getArray().toFloatArray());
            total += l.weightCount();
        }
        return (double) zeros / total;
    }

    public void report(List<MetricPoint> points) {
        listener.onMetrics(points);
    }

    public void close() {
        deviceMasks.values().forEach(NDArray::close);
        deviceMasks.clear();
        biasMasks.values().forEach(NDArray::close);
        biasMasks.clear();
    }
}
