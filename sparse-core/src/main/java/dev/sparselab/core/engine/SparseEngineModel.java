package dev.sparselab.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.InitSpec;
import dev.sparselab.contracts.spec.LayerSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.RiglSpec;
import dev.sparselab.contracts.spec.SetSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.SriglSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Init;
import dev.sparselab.core.sparsity.Distributions;
import dev.sparselab.core.sparsity.LayerShape;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.sparsity.RigL;
import dev.sparselab.core.sparsity.SetMethod;
import dev.sparselab.core.sparsity.StepRandom;
import dev.sparselab.core.sparsity.StructuredRigL;
import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.core.train.CheckpointMismatchException;
import dev.sparselab.core.train.FlopCounter;
import dev.sparselab.core.train.StepModel;
import dev.sparselab.core.train.TrainingListener;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An mlp trained by the sparse engine ({@code training.engine: sparse}): every linear layer holds its weights only at
 * their active positions ({@link SparseMatrix}), activations are feature-major, and a step computes the forward
 * products, the input gradients and the weight gradients at active positions only, all in the JVM; the optimizer
 * ({@link EngineOptimizer}) keeps state at active positions only. Methods dense, random (a static mask), set, rigl
 * and srigl change the structure itself ({@link Structures}); srigl's ablated neurons hold no entries and a zero bias.
 *
 * <p>Same seed, same run: the initial weights and masks are drawn from the masked-dense engine's streams with its
 * algorithms (for a layer of at most {@value #EXACT_DRAW_LIMIT} weights; a larger one draws its mask by sampling,
 * {@link Structures#sampledPositions}, and its initial values at the active positions only), SET and RigL take the
 * same decisions from the same draws, and the optimizer follows the same rules, so the two engines' weights agree to
 * float rounding (the order of summation differs).
 */
public final class SparseEngineModel implements StepModel {
    /** Layers up to this many weights draw their initial mask and values exactly as the masked-dense engine. */
    static final int EXACT_DRAW_LIMIT = 1 << 25;
    /** Layers of more weights than this are stored in the artifact at their active positions only. */
    public static final long DENSE_ARTIFACT_LIMIT = 1L << 26;
    private final long denseArtifactLimit;
    private final ExperimentSpec spec;
    private final Dataset train;
    private final TrainingListener listener;
    private final List<SparseLayer> layers = new ArrayList<>();
    private final List<LayerShape> shapes = new ArrayList<>();
    private final EngineOptimizer optimizer;
    private final FlopCounter flops = new FlopCounter();
    private final StepRandom methodRng;
    private final long trainSteps;
    private final int epochs;
    private final String activation;
    /** Each sparsified layer's absent connections at the target (SRigL's target active count is count - zeros). */
    private final Map<String, Integer> zeros;
    private final NDManager manager = NDManager.newBaseManager(Device.cpu());
    // the step's arrays, kept from forwardBackward to update: inputs of each layer, output gradients, gradients
    private float[][] inputs;
    private float[][] outputGrads;
    private float[][] weightGrads;
    private float[][] biasGrads;
    private int batch;
    /** The step of the last optimizer update: a grown connection's Adam count starts from it (as MaskedOptimizer's). */
    private long lastUpdate;

    public SparseEngineModel(ExperimentSpec spec, Dataset train, TrainingListener listener) {
        this(spec, train, listener, DENSE_ARTIFACT_LIMIT);
    }

    /** A model whose artifact stores layers of more than {@code denseArtifactLimit} weights sparsely. */
    public SparseEngineModel(ExperimentSpec spec, Dataset train, TrainingListener listener, long denseArtifactLimit) {
        this.denseArtifactLimit = denseArtifactLimit;
        this.spec = spec;
        this.train = train;
        this.listener = listener;
        ModelSpec model = spec.model();
        this.activation = model.activation();
        long seed = spec.training().seed();
        int b = spec.training().batchSize();
        int stepsPerEpoch = (train.size() + b - 1) / b;
        this.epochs = spec.training().epochs();
        this.trainSteps = (long) epochs * stepsPerEpoch;
        this.optimizer = new EngineOptimizer(spec.training().optimizer(), trainSteps);
        this.methodRng = StepRandom.of(seed, "method");
        List<Integer> widths = new ArrayList<>();
        for (LayerSpec l : model.stack()) {
            widths.add(l.units());
        }
        widths.add(train.classes());
        int in = train.featureDim();
        for (int i = 0; i < widths.size(); i++) {
            shapes.add(new LayerShape("fc" + (i + 1), new int[]{widths.get(i), in}));
            in = widths.get(i);
        }
        SparsitySpec sparsity = spec.sparsity();
        boolean masked = !"dense".equals(sparsity.method());
        Set<String> dense = Distributions.denseSet(shapes, sparsity.denseLayers());
        this.zeros = masked ? Distributions.zeros(shapes, sparsity.target(), sparsity.distribution(), dense) : Map.of();
        SplittableRandom initRng = new SplittableRandom(seed).split();
        SplittableRandom maskRng = methodRng.at(0);
        List<MetricPoint> points = new ArrayList<>();
        for (LayerShape s : shapes) {
            boolean layerMasked = masked && !dense.contains(s.name());
            SparseLayer layer = initialLayer(s, model.initOf(s.name()), layerMasked,
                    layerMasked ? zeros.get(s.name()) : 0, initRng, maskRng);
            layers.add(layer);
            if (layerMasked) {
                long nnz = layer.nonZeros();
                points.add(new MetricPoint("mask." + s.name() + ".dropped", 0, 0, s.count() - nnz));
                points.add(new MetricPoint("mask." + s.name() + ".grown", 0, 0, 0));
                points.add(new MetricPoint("mask." + s.name() + ".iou", 0, 0, (double) nnz / s.count()));
                points.add(new MetricPoint("mask." + s.name() + ".sparsity", 0, 0,
                        (double) (s.count() - nnz) / s.count()));
            }
        }
        if (masked) {
            points.add(new MetricPoint("mask.sparsity", 0, 0, maskSparsity()));
            listener.onMetrics(points);
        }
    }

    /**
     * A layer's initial weights, bias and structure, drawn as the masked-dense engine draws them: a random mask over the
     * layer, or for SRigL a random constant fan-in per row (both from the method's stream at step 0).
     */
    private SparseLayer initialLayer(LayerShape s, InitSpec init, boolean masked, int zeros,
                                     SplittableRandom initRng, SplittableRandom maskRng) {
        int out = s.dims()[0];
        int in = s.dims()[1];
        long count = s.count();
        int slots = optimizer.slots();
        boolean constantFanIn = masked && spec.sparsity() instanceof SriglSpec;
        int fanIn = Math.max(1, (int) Math.round((double) (count - zeros) / out));
        SparseLayer layer;
        if (count <= EXACT_DRAW_LIMIT) {
            float[][] wb = Init.draw(init, (int) count, in, out, out, initRng);
            float[] mask;
            if (constantFanIn) {
                mask = new float[(int) count];
                for (int r = 0; r < out; r++) {
                    System.arraycopy(Masks.random(in, in - fanIn, maskRng), 0, mask, r * in, in);
                }
            } else {
                mask = masked ? Masks.random((int) count, zeros, maskRng) : Masks.ones((int) count);
            }
            if (masked && Boolean.TRUE.equals(init.activeFanIn())) {
                Init.scaleByActiveFanIn(init, wb[0], mask, in, out);
            }
            layer = new SparseLayer(s.name(), out, in, masked, SparseMatrix.of(wb[0], mask, out, in), wb[1], slots);
        } else {
            long[] positions = constantFanIn ? constantFanInPositions(out, in, fanIn, maskRng)
                    : Structures.sampledPositions(count, count - zeros, maskRng);
            float[][] wb = Init.draw(init, positions.length, in, out, out, initRng);
            int[] from = new int[positions.length];
            layer = new SparseLayer(s.name(), out, in, masked,
                    SparseMatrix.ofRows(out, in, new int[out + 1], new int[0], new float[0]), wb[1], slots);
            java.util.Arrays.fill(from, -1);
            layer.restructure(positions, wb[0], from, 0, optimizer);
            if (masked && Boolean.TRUE.equals(init.activeFanIn())) {
                int[] rowPtr = layer.w.rowPtr();
                float[] v = layer.w.values();
                for (int r = 0; r < out; r++) {
                    float f = (float) Init.activeFanInFactor(init, in, out, rowPtr[r + 1] - rowPtr[r]);
                    for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
                        v[k] *= f;
                    }
                }
            }
        }
        if (constantFanIn) {
            layer.live = Masks.ones(out);
        }
        return layer;
    }

    /** SRigL's initial structure of a large layer: each row's {@code fanIn} columns, drawn as the dense engine does. */
    private static long[] constantFanInPositions(int out, int in, int fanIn, SplittableRandom rng) {
        long[] positions = new long[Math.toIntExact((long) out * fanIn)];
        int o = 0;
        for (int r = 0; r < out; r++) {
            float[] row = Masks.random(in, in - fanIn, rng);
            for (int c = 0; c < in; c++) {
                if (row[c] != 0f) {
                    positions[o++] = (long) r * in + c;
                }
            }
        }
        return positions;
    }

    @Override
    public int examples() {
        return train.size();
    }

    @Override
    public int epochs() {
        return epochs;
    }

    @Override
    public String dataHash() {
        return train.hash();
    }

    @Override
    public String engineName() {
        return "SparseLab sparse engine";
    }

    @Override
    public StepOutcome forwardBackward(int[] order, int start, int b, long step, int epoch, NDManager sub) {
        int layerCount = layers.size();
        if (inputs == null || batch != b) {
            batch = b;
            inputs = new float[layerCount][];
            outputGrads = new float[layerCount][];
            weightGrads = new float[layerCount][];
            biasGrads = new float[layerCount][];
            for (int l = 0; l < layerCount; l++) {
                inputs[l] = new float[layers.get(l).in * b];
                outputGrads[l] = new float[layers.get(l).out * b];
                biasGrads[l] = new float[layers.get(l).out];
            }
        }
        int dim = train.featureDim();
        float[] features = train.features();
        float[] x = inputs[0];
        for (int e = 0; e < b; e++) {
            int o = order[start + e] * dim;
            for (int j = 0; j < dim; j++) {
                x[j * b + e] = features[o + j];
            }
        }
        float[] logits = outputGrads[layerCount - 1];
        for (int l = 0; l < layerCount; l++) {
            SparseLayer layer = layers.get(l);
            boolean last = l == layerCount - 1;
            float[] z = last ? logits : inputs[l + 1];
            layer.w.forward(inputs[l], b, z);
            Activations.addBias(z, layer.bias, b);
            if (!last) {
                Activations.forward(activation, z);
            }
        }
        double[] lossAndCorrect = EngineLoss.lossAndGradient(spec.training(), logits, train.labels(), order, start, b,
                train.classes());
        for (int l = layerCount - 1; l >= 0; l--) {
            SparseLayer layer = layers.get(l);
            float[] dz = outputGrads[l];
            if (weightGrads[l] == null || weightGrads[l].length != layer.nonZeros()) {
                weightGrads[l] = new float[layer.nonZeros()];
            }
            layer.w.weightGradient(dz, inputs[l], b, weightGrads[l]);
            Activations.sumRows(dz, b, biasGrads[l]);
            if (l > 0) {
                float[] dh = outputGrads[l - 1];
                layer.w.backwardInput(dz, b, dh);
                Activations.backward(activation, inputs[l], dh);
            }
        }
        float loss = (float) lossAndCorrect[0];
        return new StepOutcome(loss, (double) loss * b, b, (long) lossAndCorrect[1]);
    }

    @Override
    public void update(long step, int b, int epoch, NDManager sub) {
        boolean denseGradients = false;
        if (spec.sparsity() instanceof RiglSpec rigl) {
            long tEnd = RigL.endStep(rigl, trainSteps);
            if (RigL.isUpdateStep(rigl, step, tEnd)) {
                riglUpdate(rigl, step, epoch, tEnd);
                denseGradients = true;
            }
        } else if (spec.sparsity() instanceof SriglSpec srigl) {
            long tEnd = StructuredRigL.endStep(srigl, trainSteps);
            if (StructuredRigL.isUpdateStep(srigl, step, tEnd)) {
                sriglUpdate(srigl, step, epoch, tEnd);
                denseGradients = true;
            }
        }
        float lr = optimizer.learningRate(step);
        for (int l = 0; l < layers.size(); l++) {
            SparseLayer layer = layers.get(l);
            optimizer.update(layer.w.values(), weightGrads[l], layer.state, lr, step);
            if (layer.live != null) {
                // an ablated neuron's bias gets no gradient and stays zero (its state decays, as the dense engine's)
                mask(biasGrads[l], layer.live);
                optimizer.update(layer.bias, biasGrads[l], layer.biasState, lr, step);
                mask(layer.bias, layer.live);
            } else {
                optimizer.update(layer.bias, biasGrads[l], layer.biasState, lr, step);
            }
        }
        lastUpdate = step;
        flops.countStep(b, forwardFlops(), denseGradients ? denseFlops() : 0, denseGradients);
    }

    private void riglUpdate(RiglSpec rigl, long step, int epoch, long tEnd) {
        double alphaT = RigL.alphaAt(rigl.alpha(), step, tEnd);
        SplittableRandom rng = methodRng.at(step);
        List<MetricPoint> points = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            SparseLayer layer = layers.get(l);
            if (!layer.masked) {
                continue;
            }
            int k = (int) Math.floor(alphaT * layer.nonZeros());
            Structures.Next next = Structures.dropAndGrow(layer, outputGrads[l], inputs[l], batch, k, rng);
            SparseLayer.Churn churn = layer.restructure(next.positions(), next.values(), next.from(), lastUpdate, optimizer);
            // this step's update reaches the grown connections too (the masked-dense engine masks the dense
            // gradient with the new mask)
            weightGrads[l] = new float[layer.nonZeros()];
            layer.w.weightGradient(outputGrads[l], inputs[l], batch, weightGrads[l]);
            points.addAll(churnPoints(layer, churn, step, epoch));
        }
        points.add(new MetricPoint("mask.sparsity", step, epoch, maskSparsity()));
        points.add(new MetricPoint("rigl.alpha", step, epoch, alphaT));
        listener.onMetrics(points);
    }

    private void sriglUpdate(SriglSpec srigl, long step, int epoch, long tEnd) {
        double alphaT = RigL.alphaAt(srigl.alpha(), step, tEnd);
        String last = shapes.get(shapes.size() - 1).name();
        List<MetricPoint> points = new ArrayList<>();
        List<MetricPoint> sriglPoints = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            SparseLayer layer = layers.get(l);
            if (!layer.masked) {
                continue;
            }
            int targetActive = (int) (layer.count() - zeros.get(layer.name));
            Structures.Srigl next = Structures.srigl(layer, outputGrads[l], inputs[l], batch, targetActive, alphaT,
                    layer.name.equals(last) ? -1 : srigl.gammaSal());
            SparseLayer.Churn churn = layer.restructure(next.next().positions(), next.next().values(),
                    next.next().from(), lastUpdate, optimizer);
            layer.live = next.live();
            mask(layer.bias, layer.live);
            weightGrads[l] = new float[layer.nonZeros()];
            layer.w.weightGradient(outputGrads[l], inputs[l], batch, weightGrads[l]);
            points.addAll(churnPoints(layer, churn, step, epoch));
            sriglPoints.add(new MetricPoint("srigl." + layer.name + ".neurons", step, epoch,
                    layer.out - Masks.countZeros(layer.live)));
            sriglPoints.add(new MetricPoint("srigl." + layer.name + ".fanIn", step, epoch, next.fanIn()));
        }
        points.add(new MetricPoint("mask.sparsity", step, epoch, maskSparsity()));
        listener.onMetrics(points);
        listener.onMetrics(sriglPoints);
    }

    private static void mask(float[] values, float[] keep) {
        for (int i = 0; i < values.length; i++) {
            if (keep[i] == 0f) {
                values[i] = 0f;
            }
        }
    }

    @Override
    public void endEpoch(int epoch, long step) {
        if (!(spec.sparsity() instanceof SetSpec set) || epoch >= epochs) {
            return;
        }
        SplittableRandom rng = methodRng.at(step);
        List<MetricPoint> points = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            SparseLayer layer = layers.get(l);
            if (!layer.masked) {
                continue;
            }
            SetMethod.Regrow regrow = SetMethod.regrowFor(set, spec.model(), shapes.get(l));
            Structures.Next next = Structures.evolve(layer, set.zeta(), regrow, rng);
            SparseLayer.Churn churn = layer.restructure(next.positions(), next.values(), next.from(), lastUpdate, optimizer);
            points.addAll(churnPoints(layer, churn, step, epoch));
        }
        points.add(new MetricPoint("mask.sparsity", step, epoch, maskSparsity()));
        listener.onMetrics(points);
    }

    private static List<MetricPoint> churnPoints(SparseLayer layer, SparseLayer.Churn churn, long step, int epoch) {
        return List.of(
                new MetricPoint("mask." + layer.name + ".dropped", step, epoch, churn.dropped()),
                new MetricPoint("mask." + layer.name + ".grown", step, epoch, churn.grown()),
                new MetricPoint("mask." + layer.name + ".iou", step, epoch, churn.iou()),
                new MetricPoint("mask." + layer.name + ".sparsity", step, epoch,
                        (double) (layer.count() - layer.nonZeros()) / layer.count()));
    }

    private double forwardFlops() {
        double f = 0;
        for (SparseLayer l : layers) {
            f += 2.0 * l.nonZeros();
        }
        return f;
    }

    private double denseFlops() {
        double f = 0;
        for (SparseLayer l : layers) {
            f += 2.0 * l.count();
        }
        return f;
    }

    /** Absent connections over all weights. */
    double maskSparsity() {
        long absent = 0;
        long total = 0;
        for (SparseLayer l : layers) {
            absent += l.count() - l.nonZeros();
            total += l.count();
        }
        return (double) absent / total;
    }

    @Override
    public List<MetricPoint> epochMetrics(int epoch, long step, double meanLoss) {
        long zeros = 0;
        long total = 0;
        for (SparseLayer l : layers) {
            zeros += l.zeros();
            total += l.count();
        }
        return List.of(new MetricPoint("sparsity", step, epoch, (double) zeros / total));
    }

    @Override
    public double learningRate(long step) {
        return optimizer.learningRate(step);
    }

    /** Checkpoint layout: {@code csr/<layer>/rowPtr|colIdx} (int bits in floats), the values as {@code param/}. */
    @Override
    public void capture(Map<String, ModelArtifact.Tensor> tensors, Map<String, Double> scalars) {
        for (SparseLayer l : layers) {
            tensors.put("csr/" + l.name + "/rowPtr", Checkpoint.vector(EngineCheckpoints.intBits(l.w.rowPtr())));
            tensors.put("csr/" + l.name + "/colIdx", Checkpoint.vector(EngineCheckpoints.intBits(l.w.colIdx())));
            tensors.put("param/" + l.name + ".weight", Checkpoint.vector(l.w.values().clone()));
            tensors.put("param/" + l.name + ".bias", Checkpoint.vector(l.bias.clone()));
            if (l.live != null) {
                tensors.put("biasmask/" + l.name, Checkpoint.vector(l.live.clone()));
            }
            for (int s = 0; s < l.state.length; s++) {
                tensors.put("opt/" + l.name + ".weight/" + s, Checkpoint.vector(l.state[s].clone()));
                tensors.put("opt/" + l.name + ".bias/" + s, Checkpoint.vector(l.biasState[s].clone()));
            }
        }
        scalars.put("trainingFlops", flops.total());
        scalars.put("maskSparsity", maskSparsity());
        scalars.put("target", spec.sparsity().target());
    }

    @Override
    public void restore(Checkpoint c) {
        c.requireTarget(spec.sparsity().target());
        Map<String, float[]> csr = c.group("csr");
        Map<String, float[]> params = c.group("param");
        Map<String, float[]> live = c.group("biasmask");
        Map<String, Map<Integer, float[]>> opt = c.optimizerState();
        for (SparseLayer l : layers) {
            float[] rowPtr = csr.get(l.name + "/rowPtr");
            float[] colIdx = csr.get(l.name + "/colIdx");
            float[] values = params.get(l.name + ".weight");
            float[] bias = params.get(l.name + ".bias");
            if (rowPtr == null || colIdx == null || values == null || bias == null || bias.length != l.out
                    || values.length != colIdx.length) {
                throw new CheckpointMismatchException("layer " + l.name + " is missing or has another shape in the "
                        + "checkpoint (a sparse-engine checkpoint holds csr/, param/ and opt/ entries per layer)");
            }
            try {
                l.w = SparseMatrix.ofRows(l.out, l.in, EngineCheckpoints.ints(rowPtr), EngineCheckpoints.ints(colIdx),
                        values.clone());
            } catch (IllegalArgumentException e) {
                throw new CheckpointMismatchException("layer " + l.name + ": " + e.getMessage());
            }
            System.arraycopy(bias, 0, l.bias, 0, l.out);
            if (l.live != null) {
                float[] saved = live.get(l.name);
                if (saved == null || saved.length != l.out) {
                    throw new CheckpointMismatchException("layer " + l.name + " has no live neurons (biasmask/) of "
                            + "its length in the checkpoint");
                }
                l.live = saved.clone();
            }
            l.state = new float[optimizer.slots()][];
            for (int s = 0; s < optimizer.slots(); s++) {
                float[] w = opt.getOrDefault(l.name + ".weight", Map.of()).get(s);
                float[] b = opt.getOrDefault(l.name + ".bias", Map.of()).get(s);
                if (w == null || w.length != values.length || b == null || b.length != l.out) {
                    throw new CheckpointMismatchException("optimizer state " + s + " of " + l.name
                            + " is missing or has another length");
                }
                l.state[s] = w.clone();
                System.arraycopy(b, 0, l.biasState[s], 0, l.out);
            }
        }
        flops.restore(c.scalar("trainingFlops"));
        lastUpdate = c.step();
        if (maskSparsity() != c.scalar("maskSparsity")) {
            throw new CheckpointMismatchException("mask sparsity " + maskSparsity() + " != the recorded "
                    + c.scalar("maskSparsity"));
        }
        weightGrads = null;
        inputs = null;
    }

    /**
     * The trained model, in the masked-dense engine's artifact layout (dense tensors, masks as bits), except that a
     * layer of more than the limit's weights is stored at its active positions only ({@link ModelArtifact#sparse()}).
     */
    @Override
    public ModelArtifact artifact() {
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        Map<String, BitSet> bits = new LinkedHashMap<>();
        Map<String, ModelArtifact.SparseTensor> sparse = new LinkedHashMap<>();
        for (SparseLayer l : layers) {
            if (l.count() > denseArtifactLimit) {
                sparse.put(l.name + ".weight", new ModelArtifact.SparseTensor(new long[]{l.out, l.in},
                        l.w.rowPtr().clone(), l.w.colIdx().clone(), l.w.values().clone()));
            } else {
                tensors.put(l.name + ".weight", new ModelArtifact.Tensor(new long[]{l.out, l.in}, l.denseWeights()));
                if (l.masked) {
                    BitSet mask = new BitSet(Math.toIntExact(l.count()));
                    for (long p : l.positions()) {
                        mask.set((int) p);
                    }
                    bits.put(l.name + ".weight", mask);
                }
            }
            tensors.put(l.name + ".bias", new ModelArtifact.Tensor(new long[]{l.out}, l.bias.clone()));
        }
        return new ModelArtifact(spec, tensors, bits, sparse);
    }

    @Override
    public double trainingFlops(long samples) {
        return flops.total();
    }

    @Override
    public double denseTrainingFlops(long samples) {
        return 3 * denseFlops() * epochs * (double) train.size();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** The layers' current weights as dense row-major arrays (tests compare engines with them). */
    public Map<String, float[]> denseWeights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (SparseLayer l : layers) {
            out.put(l.name, l.denseWeights());
        }
        return out;
    }

    /** Whether the spec trains on the sparse engine. */
    public static boolean handles(ExperimentSpec spec) {
        return spec.training().sparseEngine();
    }

    @Override
    public void close() {
        manager.close();
    }
}
