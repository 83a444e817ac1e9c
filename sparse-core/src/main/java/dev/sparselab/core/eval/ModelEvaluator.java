package dev.sparselab.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.sparselab.contracts.spec.NmSpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.train.NoGrad;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures a stored model on a test split: accuracy, loss and weight sparsity per layer. The network
 * is rebuilt from the artifact's spec and loaded with the stored values, so a model evaluates the
 * same wherever it was trained.
 */
public final class ModelEvaluator {
    private static final int BATCH = 1000;
    private final Device device;

    public ModelEvaluator() {
        this(Engines.device());
    }

    public ModelEvaluator(Device device) {
        this.device = device;
    }

    /**
     * Top-5 accuracy is reported only with more than this many classes: with ten classes or fewer it is close to
     * 1 for any model that learned anything, so it would say nothing (and Fashion-MNIST has ten).
     */
    public static final int TOP5_ABOVE_CLASSES = 10;

    public Evaluation evaluate(ModelArtifact artifact, Dataset test) {
        if (!artifact.sparse().isEmpty()) {
            // a sparse-engine model too large to store dense: evaluated through the sparse engine's forward pass
            try (NoGrad noGrad = NoGrad.enter(); NDManager manager = NDManager.newBaseManager(device, Engines.ENGINE)) {
                return SparseEvaluator.evaluate(artifact, test, manager, "cpu (sparse engine); dense timings on "
                        + device);
            }
        }
        Network net = network(artifact, test);
        try (NoGrad noGrad = NoGrad.enter(); NDManager manager = NDManager.newBaseManager(device, Engines.ENGINE)) {
            net.block().initialize(manager, DataType.FLOAT32, new Shape(1, test.featureDim()));
            Weights weights = load(net, artifact,
                    denseLayers(net, artifact.spec().sparsity() == null ? List.of()
                            : artifact.spec().sparsity().withDefaults().denseLayers()));
            Predictions predictions = new Predictions(test.classes(),
                    TrainingSpec.MSE.equals(artifact.spec().training().loss()),
                    TrainingSpec.SUM_OUTPUTS.equals(artifact.spec().training().reduction()));
            Map<String, Integer> taps = net.activationOutputs();
            Activations activations = new Activations(taps);
            run(net, test, manager, predictions, activations);
            int n = test.size();
            return new Evaluation(predictions.accuracy(n), predictions.meanLoss(n), weights.sparsity(),
                    weights.params(), weights.nonZero(), n, weights.layers(), activations.sparsity(),
                    cost(net, manager, weights.layers()), nmCompliance(net, artifact), latency(net, artifact, manager),
                    test.classes() > TOP5_ABOVE_CLASSES ? predictions.top5(n) : null,
                    new Evaluation.EvaluationProvenance(test.hash(), test.name(), ai.djl.engine.Engine.getDjlVersion(),
                            Engines.ENGINE, Engines.engine().getVersion(), device.toString()), null,
                    weights.all());
        }
    }

    /** The artifact's network for the test set's shapes, with its stored thresholds (weights not loaded yet). */
    private static Network network(ModelArtifact artifact, Dataset test) {
        Network net = Network.build(artifact.spec().model(), artifact.spec().sparsity(), test.featureDim(),
                test.classes());
        net.thresholds().keySet().forEach(layer -> net.setThreshold(layer,
                tensor(artifact, layer + ".threshold").data()[0]));
        return net;
    }

    /**
     * The network's outputs (logits) for the first {@code count} test examples, computed as {@link #evaluate}
     * computes them (a dense-stored artifact): what an exported model must reproduce.
     */
    public float[] logits(ModelArtifact artifact, Dataset test, int count) {
        Network net = network(artifact, test);
        try (NoGrad noGrad = NoGrad.enter(); NDManager manager = NDManager.newBaseManager(device, Engines.ENGINE)) {
            net.block().initialize(manager, DataType.FLOAT32, new Shape(1, test.featureDim()));
            load(net, artifact, java.util.Set.of());
            ParameterStore store = new ParameterStore(manager, false);
            int dim = test.featureDim();
            float[] xb = new float[count * dim];
            System.arraycopy(test.features(), 0, xb, 0, count * dim);
            NDList h = new NDList(manager.create(xb, new Shape(count, dim)));
            for (Pair<String, Block> b : net.block().getChildren()) {
                h = b.getValue().forward(store, h, false);
            }
            return h.singletonOrThrow().toFloatArray();
        }
    }

    /**
     * The stored weights, loaded into the network, and their sparsity per layer, over the sparsified layers
     * ({@code params}, {@code nonZero}) and over all weight layers ({@code all}).
     */
    record Weights(List<Evaluation.LayerSparsity> layers, long params, long nonZero, Evaluation.WeightCount all) {
        double sparsity() {
            return params == 0 ? 0.0 : 1.0 - (double) nonZero / params;
        }
    }

    static Weights load(Network net, ModelArtifact artifact, java.util.Set<String> dense) {
        List<Evaluation.LayerSparsity> layers = new ArrayList<>();
        long params = 0;
        long nonZero = 0;
        long allParams = 0;
        long allNonZero = 0;
        for (Network.Layer l : net.layers()) {
            ModelArtifact.Tensor w = tensor(artifact, l.name() + ".weight");
            ModelArtifact.Tensor b = tensor(artifact, l.name() + ".bias");
            l.weight().getArray().set(FloatBuffer.wrap(w.data()));
            l.bias().getArray().set(FloatBuffer.wrap(b.data()));
            long n = w.data().length;
            long nz = n - Masks.countZeros(w.data());
            boolean sparsified = !dense.contains(l.name());
            layers.add(new Evaluation.LayerSparsity(l.name(), w.shape(), n, nz, 1.0 - (double) nz / n,
                    activeShape(w.data(), l.out(), l.in()), sparsified));
            if (sparsified) {
                params += n;
                nonZero += nz;
            }
            allParams += n;
            allNonZero += nz;
        }
        return new Weights(layers, params, nonZero, Evaluation.WeightCount.of(allParams, allNonZero));
    }

    /** Accuracy, top-5 and loss over the test examples, from the network's outputs batch by batch. */
    static final class Predictions {
        private final int classes;
        private final boolean mse;
        private final boolean sumOutputs;
        private long correct;
        private long top5;
        private double lossSum;

        Predictions(int classes, boolean mse) {
            this(classes, mse, false);
        }

        /** {@code sumOutputs}: an mse run trained with the squared error summed over the outputs. */
        Predictions(int classes, boolean mse, boolean sumOutputs) {
            this.classes = classes;
            this.mse = mse;
            this.sumOutputs = sumOutputs;
        }

        /** One batch: the outputs [b, classes], their log-softmax (null for mse) and the labels from {@code start}. */
        void add(float[] out, float[] logSoftmax, int[] labels, int start, int b) {
            for (int i = 0; i < b; i++) {
                int label = labels[start + i];
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (out[i * classes + c] > out[i * classes + best]) {
                        best = c;
                    }
                }
                if (best == label) {
                    correct++;
                }
                if (classes > TOP5_ABOVE_CLASSES && inTopK(out, i * classes, classes, label, 5)) {
                    top5++;
                }
                if (mse) {
                    // as the run was trained: (y - p)^2 / 2 summed over the outputs (sum-outputs), or its mean
                    // over them (DJL's L2Loss, the default)
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        double d = (c == label ? 1.0 : 0.0) - out[i * classes + c];
                        sum += d * d / 2;
                    }
                    lossSum += sumOutputs ? sum : sum / classes;
                } else {
                    lossSum -= logSoftmax[i * classes + label];
                }
            }
        }

        double accuracy(int n) {
            return (double) correct / n;
        }

        double top5(int n) {
            return (double) top5 / n;
        }

        double meanLoss(int n) {
            return lossSum / n;
        }
    }

    /** Exact zeros among the outputs of the tapped layers (activation sparsity), counted on the device. */
    static final class Activations {
        private final Map<String, Integer> taps;
        private final long[] zeros;
        private final long[] total;

        Activations(Map<String, Integer> taps) {
            this.taps = taps;
            this.zeros = new long[taps.size()];
            this.total = new long[taps.size()];
        }

        /** The output of child block {@code child} for one batch. */
        void observe(int child, NDArray a) {
            int k = 0;
            for (int index : taps.values()) {
                if (index == child) {
                    zeros[k] += a.eq(0f).sum().toType(DataType.INT64, false).getLong();
                    total[k] += a.size();
                }
                k++;
            }
        }

        List<Evaluation.ActivationSparsity> sparsity() {
            List<Evaluation.ActivationSparsity> result = new ArrayList<>();
            int k = 0;
            for (String layer : taps.keySet()) {
                result.add(new Evaluation.ActivationSparsity(layer, total[k] == 0 ? 0 : (double) zeros[k] / total[k]));
                k++;
            }
            return result;
        }
    }

    /** Runs the test split through the network in batches, feeding predictions and activation counts. */
    private static void run(Network net, Dataset test, NDManager manager, Predictions predictions,
                            Activations activations) {
        ParameterStore store = new ParameterStore(manager, false);
        int n = test.size();
        int dim = test.featureDim();
        boolean mse = predictions.mse;
        for (int start = 0; start < n; start += BATCH) {
            int bsz = Math.min(BATCH, n - start);
            float[] xb = new float[bsz * dim];
            System.arraycopy(test.features(), start * dim, xb, 0, bsz * dim);
            try (NDManager sub = manager.newSubManager()) {
                NDList h = new NDList(sub.create(xb, new Shape(bsz, dim)));
                int child = 0;
                for (Pair<String, Block> b : net.block().getChildren()) {
                    h = b.getValue().forward(store, h, false);
                    activations.observe(child, h.singletonOrThrow());
                    child++;
                }
                NDArray outputs = h.singletonOrThrow();
                predictions.add(outputs.toFloatArray(), mse ? null : outputs.logSoftmax(1).toFloatArray(),
                        test.labels(), start, bsz);
            }
        }
    }

    /** The layers a spec keeps dense ({@code first}, {@code last} or names). */
    static java.util.Set<String> denseLayers(Network net, List<String> denseLayers) {
        return denseLayers(net.layers().stream().map(Network.Layer::name).toList(), denseLayers);
    }

    /** The layers a spec keeps dense, among the model's layer names in forward order. */
    static java.util.Set<String> denseLayers(List<String> names, List<String> denseLayers) {
        java.util.Set<String> dense = new java.util.HashSet<>();
        for (String d : denseLayers == null ? List.<String>of() : denseLayers) {
            dense.add(switch (d) {
                case "first" -> names.get(0);
                case "last" -> names.get(names.size() - 1);
                default -> d;
            });
        }
        return dense;
    }

    /** The fraction of N:M groups (in the layers it sparsifies) that hold at most N non-zeros, for N:M runs (nm, wanda N:M). */
    private static Double nmCompliance(Network net, ModelArtifact artifact) {
        int n;
        int m;
        if (artifact.spec().sparsity() instanceof NmSpec nm) {
            n = nm.n();
            m = nm.m();
        } else if (artifact.spec().sparsity() instanceof dev.sparselab.contracts.spec.WandaSpec wanda && wanda.nm()) {
            n = wanda.n();
            m = wanda.m();
        } else {
            return null;
        }
        long ok = 0;
        long groups = 0;
        java.util.Set<String> dense = denseLayers(net, artifact.spec().sparsity().denseLayers());
        for (Network.Layer l : net.layers()) {
            if (dense.contains(l.name())) {
                continue; // kept dense on purpose: not an N:M layer
            }
            float[] w = tensor(artifact, l.name() + ".weight").data();
            long[] shape = l.weightShape();
            int channels = (int) shape[1];
            int kernel = shape.length == 4 ? (int) (shape[2] * shape[3]) : 1;
            long g = (long) l.out() * kernel * (channels / m);
            ok += Math.round(nmCompliance(w, channels, kernel, n, m) * g);
            groups += g;
        }
        return groups == 0 ? null : (double) ok / groups;
    }

    /** Batch sizes latency is measured at. */
    static final int[] LATENCY_BATCHES = {1, 256};

    private static List<Latency> latency(Network net, ModelArtifact artifact, NDManager manager) {
        Map<String, Shape[]> shapes = net.layerShapes(manager);
        java.util.Set<String> dense = denseLayers(net, artifact.spec().sparsity().withDefaults().denseLayers());
        List<Latency.Timed> timed = new ArrayList<>();
        for (Network.Layer l : net.layers()) {
            ConvGeometry conv = null;
            if (l.isConv()) {
                Shape in = shapes.get(l.name())[0];
                long[] k = l.weightShape();
                Conv2d block = (Conv2d) l.block();
                conv = new ConvGeometry((int) in.get(1), (int) in.get(2), (int) in.get(3), (int) k[2], (int) k[3],
                        (int) block.getStride().get(0), (int) block.getPadding().get(0));
            }
            // an SRigL model's sparsified Linear layers are also timed in the condensed constant fan-in layout
            boolean condensed = artifact.spec().sparsity() instanceof dev.sparselab.contracts.spec.SriglSpec
                    && conv == null && !dense.contains(l.name());
            timed.add(new Latency.Timed(l.name(), tensor(artifact, l.name() + ".weight").data(), l.out(), l.in(),
                    conv, condensed));
        }
        return Latency.measureLayers(manager, timed, LATENCY_BATCHES);
    }

    /** Counts FLOPs and sizes; conv output positions come from a forward pass of one example. */
    private static Cost cost(Network net, NDManager manager, List<Evaluation.LayerSparsity> sparsity) {
        Map<String, Long> positions = net.outputPositions(manager);
        List<Cost.LayerCost> layers = new ArrayList<>();
        for (int i = 0; i < net.layers().size(); i++) {
            Network.Layer l = net.layers().get(i);
            layers.add(Cost.layer(l.name(), l.out(), l.in(), sparsity.get(i).nonZero(), positions.get(l.name())));
        }
        return Cost.of(layers);
    }

    /** The fraction of groups of m consecutive fan-in weights (per row) with at most n non-zeros. */
    public static double nmCompliance(float[] w, int fanIn, int n, int m) {
        return nmCompliance(w, fanIn, 1, n, m);
    }

    /**
     * The fraction of N:M groups with at most n non-zeros in a weight [out, channels, kernel] (kernel = kh * kw,
     * 1 for a Linear layer): the groups run along m consecutive input channels at each kernel position.
     */
    public static double nmCompliance(float[] w, int channels, int kernel, int n, int m) {
        long groups = 0;
        long ok = 0;
        int rowSize = channels * kernel;
        for (int row = 0; row < w.length / rowSize; row++) {
            for (int k = 0; k < kernel; k++) {
                for (int g = 0; g + m <= channels; g += m) {
                    int nz = 0;
                    for (int j = 0; j < m; j++) {
                        if (w[row * rowSize + (g + j) * kernel + k] != 0f) {
                            nz++;
                        }
                    }
                    groups++;
                    if (nz <= n) {
                        ok++;
                    }
                }
            }
        }
        return groups == 0 ? 1.0 : (double) ok / groups;
    }

    /** Whether {@code label}'s output is among the k largest of the row starting at {@code offset}. */
    public static boolean inTopK(float[] out, int offset, int classes, int label, int k) {
        int larger = 0;
        for (int c = 0; c < classes; c++) {
            if (out[offset + c] > out[offset + label]) {
                larger++;
            }
        }
        return larger < k;
    }

    /** Rows and columns of a weight [out, in] that are not entirely zero. */
    static long[] activeShape(float[] w, int out, int in) {
        boolean[] col = new boolean[in];
        long rows = 0;
        for (int r = 0; r < out; r++) {
            boolean any = false;
            for (int c = 0; c < in; c++) {
                if (w[r * in + c] != 0f) {
                    any = true;
                    col[c] = true;
                }
            }
            if (any) {
                rows++;
            }
        }
        long cols = 0;
        for (boolean c : col) {
            if (c) {
                cols++;
            }
        }
        return new long[]{rows, cols};
    }

    private static ModelArtifact.Tensor tensor(ModelArtifact artifact, String name) {
        ModelArtifact.Tensor t = artifact.tensors().get(name);
        if (t == null) {
            throw new IllegalArgumentException("artifact has no tensor '" + name + "'");
        }
        return t;
    }
}
