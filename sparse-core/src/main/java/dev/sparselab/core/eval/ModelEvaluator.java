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
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.core.artifact.ModelArtifact;
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

    public Evaluation evaluate(ModelArtifact artifact, Dataset test) {
        Network net = Network.build(artifact.spec().model(), artifact.spec().sparsity(), test.featureDim(),
                test.classes());
        net.thresholds().keySet().forEach(layer -> net.setThreshold(layer,
                tensor(artifact, layer + ".threshold").data()[0]));
        boolean mse = TrainingSpec.MSE.equals(artifact.spec().training().loss());
        try (NoGrad noGrad = NoGrad.enter(); NDManager manager = NDManager.newBaseManager(device, Engines.ENGINE)) {
            net.block().initialize(manager, DataType.FLOAT32, new Shape(1, test.featureDim()));
            List<Evaluation.LayerSparsity> layers = new ArrayList<>();
            long params = 0;
            long nonZero = 0;
            for (Network.Layer l : net.layers()) {
                ModelArtifact.Tensor w = tensor(artifact, l.name() + ".weight");
                ModelArtifact.Tensor b = tensor(artifact, l.name() + ".bias");
                l.weight().getArray().set(FloatBuffer.wrap(w.data()));
                l.bias().getArray().set(FloatBuffer.wrap(b.data()));
                long n = w.data().length;
                long nz = n - Masks.countZeros(w.data());
                layers.add(new Evaluation.LayerSparsity(l.name(), w.shape(), n, nz, 1.0 - (double) nz / n,
                        activeShape(w.data(), l.out(), l.in())));
                params += n;
                nonZero += nz;
            }
            ParameterStore store = new ParameterStore(manager, false);
            int n = test.size();
            int dim = test.featureDim();
            long correct = 0;
            long top5 = 0;
            double lossSum = 0;
            Map<String, Integer> outputs = net.activationOutputs();
            long[] zeroActivations = new long[outputs.size()];
            long[] activations = new long[outputs.size()];
            for (int start = 0; start < n; start += BATCH) {
                int bsz = Math.min(BATCH, n - start);
                float[] xb = new float[bsz * dim];
                System.arraycopy(test.features(), start * dim, xb, 0, bsz * dim);
                try (NDManager sub = manager.newSubManager()) {
                    NDArray x = sub.create(xb, new Shape(bsz, dim));
                    NDList h = new NDList(x);
                    int child = 0;
                    for (Pair<String, Block> b : net.block().getChildren()) {
                        h = b.getValue().forward(store, h, false);
                        int k = 0;
                        for (int index : outputs.values()) {
                            if (index == child) {
                                NDArray a = h.singletonOrThrow();
                                NDArray z = a.eq(0f).sum();
                                zeroActivations[k] += z.toType(DataType.INT64, false).getLong();
                                activations[k] += a.size();
                            }
                            k++;
                        }
                        child++;
                    }
                    NDArray outputsArray = h.singletonOrThrow();
                    float[] out = outputsArray.toFloatArray();
                    float[] logSoftmax = mse ? null : outputsArray.logSoftmax(1).toFloatArray();
                    int classes = test.classes();
                    for (int i = 0; i < bsz; i++) {
                        int label = test.labels()[start + i];
                        int best = 0;
                        for (int c = 1; c < classes; c++) {
                            if (out[i * classes + c] > out[i * classes + best]) {
                                best = c;
                            }
                        }
                        if (best == label) {
                            correct++;
                        }
                        if (classes > 10 && inTopK(out, i * classes, classes, label, 5)) {
                            top5++;
                        }
                        if (mse) {
                            // as DJL's L2Loss trains it: the mean of (y - p)^2 / 2 over the outputs
                            double sum = 0;
                            for (int c = 0; c < classes; c++) {
                                double d = (c == label ? 1.0 : 0.0) - out[i * classes + c];
                                sum += d * d / 2;
                            }
                            lossSum += sum / classes;
                        } else {
                            lossSum -= logSoftmax[i * classes + label];
                        }
                    }
                }
            }
            Cost cost = cost(net, manager, layers);
            Double nm = null;
            SparsitySpec sparsity = artifact.spec().sparsity();
            if (SparsitySpec.NM.equals(sparsity.method())) {
                long ok = 0;
                long groups = 0;
                for (Network.Layer l : net.layers()) {
                    float[] w = tensor(artifact, l.name() + ".weight").data();
                    long g = (long) l.out() * (l.in() / sparsity.m());
                    ok += Math.round(nmCompliance(w, l.in(), sparsity.n(), sparsity.m()) * g);
                    groups += g;
                }
                nm = groups == 0 ? null : (double) ok / groups;
            }
            List<Evaluation.ActivationSparsity> activationSparsity = new ArrayList<>();
            int k = 0;
            for (String layer : outputs.keySet()) {
                activationSparsity.add(new Evaluation.ActivationSparsity(layer,
                        activations[k] == 0 ? 0 : (double) zeroActivations[k] / activations[k]));
                k++;
            }
            return new Evaluation((double) correct / n, lossSum / n, 1.0 - (double) nonZero / params,
                    params, nonZero, n, layers, activationSparsity, cost, nm, latency(net, artifact, manager),
                    test.classes() > 10 ? (double) top5 / n : null,
                    new Evaluation.EvaluationProvenance(test.hash(), test.name(), ai.djl.engine.Engine.getDjlVersion(),
                            Engines.ENGINE, Engines.engine().getVersion(), device.toString()), null);
        }
    }

    /** Batch sizes latency is measured at. */
    static final int[] LATENCY_BATCHES = {1, 256};

    private static List<Latency> latency(Network net, ModelArtifact artifact, NDManager manager) {
        Map<String, Shape[]> shapes = net.layerShapes(manager);
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
            timed.add(new Latency.Timed(l.name(), tensor(artifact, l.name() + ".weight").data(), l.out(), l.in(),
                    conv));
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
        long groups = 0;
        long ok = 0;
        for (int row = 0; row < w.length / fanIn; row++) {
            for (int g = 0; g + m <= fanIn; g += m) {
                int nz = 0;
                for (int j = 0; j < m; j++) {
                    if (w[row * fanIn + g + j] != 0f) {
                        nz++;
                    }
                }
                groups++;
                if (nz <= n) {
                    ok++;
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
