package dev.sparselab.core.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.InitSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.core.model.Init;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import dev.sparselab.core.optim.MaskedOptimizer;
import dev.sparselab.core.sparsity.Methods;
import dev.sparselab.core.sparsity.SparseState;
import dev.sparselab.core.sparsity.SparsityMethod;
import dev.sparselab.core.sparsity.StepRandom;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A weight-sparse network (mlp, LeNet-5, cnn) with its sparsity method ({@link Methods}) and
 * {@link MaskedOptimizer}, as a {@link StepModel}: DJL's trainer runs forward and backward, the update is
 * {@link MaskedOptimizer}'s (masked gradients, resettable state), and the method hooks into every step.
 *
 * <p>Masks are applied to the weights after every optimizer step, so a masked weight is exactly zero whenever
 * the model is observed.
 *
 * <p>The training split is copied to the engine's device once; a step gathers its batch there by index, and adds
 * its loss and correct predictions to totals that stay on the device ({@link StepOutcome#DEFERRED}): no per-step
 * host copy of the batch, the loss or the logits (on a GPU each was a round trip).
 */
public final class WeightSparseModel implements StepModel {
    private final ExperimentSpec spec;
    private final Dataset train;
    private final StepObserver observer;
    private final Model model;
    private final Trainer trainer;
    private final MaskedOptimizer optimizer;
    private final Network net;
    private final SparsityMethod method;
    private final SparseState state;
    private final int epochs;
    private final StepRandom dropout;
    /** The training split on the device: features [n, dim], labels [n] (int64); made at the first step. */
    private NDArray trainX;
    private NDArray trainY;
    /** The epoch's running sums on the device (float64): loss x batch size, correct predictions; and their weight. */
    private NDArray lossTotal;
    private NDArray correctTotal;
    private double weightTotal;
    private List<MaskedOptimizer.Target> targets;
    private int targetsVersion;

    /** Opens the model of a run: builds the network, initializes it and lets the method draw its masks. */
    public WeightSparseModel(ExperimentSpec spec, Dataset train, TrainingListener listener, Device device,
                             StepObserver observer) {
        this.spec = spec;
        this.train = train;
        this.observer = observer;
        long seed = spec.training().seed();
        SparsitySpec sparsity = spec.sparsity();
        this.net = Network.build(spec.model(), sparsity, train.featureDim(), train.classes());
        int batch = spec.training().batchSize();
        int stepsPerEpoch = (train.size() + batch - 1) / batch;
        this.epochs = spec.training().epochs();
        SplittableRandom rng = new SplittableRandom(seed);
        this.method = Methods.create(spec, StepRandom.of(seed, "method"));
        long trainSteps = (long) epochs * stepsPerEpoch;
        long allSteps = trainSteps + (long) method.extraEpochs() * stepsPerEpoch;
        this.dropout = spec.model().dropout() != null && spec.model().dropout() > 0
                ? StepRandom.of(seed, "dropout") : null;
        Model m = Model.newInstance("run", device, Engines.ENGINE);
        Trainer t = null;
        MaskedOptimizer o = null;
        SparseState s = null;
        try {
            m.setBlock(net.block());
            t = m.newTrainer(config(device));
            o = new MaskedOptimizer(spec.training().optimizer(), method.scheduleLength(trainSteps, allSteps),
                    t.getManager());
            t.initialize(new Shape(batch, train.featureDim()));
            initialize(net, spec.model(), rng.split());
            s = new SparseState(net, o, t.getManager(), listener, method.denseLayers(sparsity), trainSteps,
                    stepsPerEpoch, train);
            s.setPositions(net.outputPositions(t.getManager()));
            method.init(s);
            scaleByActiveFanIn(net, spec.model(), s);
        } catch (RuntimeException | Error e) {
            close(s, o, t, m);
            throw e;
        }
        this.model = m;
        this.trainer = t;
        this.optimizer = o;
        this.state = s;
    }

    private DefaultTrainingConfig config(Device device) {
        // the optimizer step is ours (MaskedOptimizer); DJL's trainer only runs forward and backward
        return new DefaultTrainingConfig(Losses.of(spec.training())).optDevices(new Device[]{device});
    }

    private static void initialize(Network net, ModelSpec model, SplittableRandom rng) {
        for (Network.Layer l : net.layers()) {
            float[][] wb = Network.initialValues(l, model.initOf(l.name()), rng);
            l.weight().getArray().set(FloatBuffer.wrap(wb[0]));
            l.bias().getArray().set(FloatBuffer.wrap(wb[1]));
        }
    }

    /** Layers initialized by their active fan-in: rescaled once the method has drawn the initial masks. */
    private static void scaleByActiveFanIn(Network net, ModelSpec model, SparseState state) {
        for (Network.Layer l : net.layers()) {
            InitSpec init = model.initOf(l.name());
            float[] mask = state.mask(l.name());
            if (Boolean.TRUE.equals(init.activeFanIn()) && mask != null) {
                float[] w = state.weights(l.name());
                Init.scaleByActiveFanIn(init, w, mask, l.in(), l.fanOut());
                state.setWeights(l.name(), w);
            }
        }
    }

    @Override
    public int examples() {
        return train.size();
    }

    @Override
    public int epochs() {
        return epochs + method.extraEpochs();
    }

    @Override
    public String phase(int epoch) {
        return epoch <= epochs ? "train" : method.extraPhase();
    }

    @Override
    public String dataHash() {
        return train.hash();
    }

    @Override
    public StepOutcome forwardBackward(int[] order, int start, int b, long step, int epoch, NDManager sub) {
        observer.beforeStep(state, step);
        method.beforeForward(state, step, epoch);
        if (dropout != null) {
            Engines.engine().setRandomSeed((int) dropout.seedAt(step));
        }
        NDArray index = sub.create(java.util.Arrays.copyOfRange(order, start, start + b));
        NDArray x = trainX.get(index);
        x.attach(sub);
        NDArray labels = trainY.get(index);
        labels.attach(sub);
        NDArray y = TrainingSpec.MSE.equals(spec.training().loss()) ? labels.oneHot(train.classes()) : labels;
        NDArray loss;
        NDArray logits;
        try (GradientCollector gc = trainer.newGradientCollector()) {
            NDList pred = trainer.forward(new NDList(x));
            logits = pred.singletonOrThrow();
            loss = trainer.getLoss().evaluate(new NDList(y), pred);
            gc.backward(loss);
        }
        // as the loop summed them on the host: the float loss widened to double, times b, added step by step
        NDArray batchLoss = loss.toType(DataType.FLOAT64, false);
        batchLoss.attach(sub);
        lossTotal.addi(batchLoss.muli((double) b));
        NDArray correct = logits.argMax(1).eq(labels).sum().toType(DataType.FLOAT64, false);
        correct.attach(sub);
        correctTotal.addi(correct);
        weightTotal += b;
        return StepOutcome.DEFERRED;
    }

    /** Copies the training split to the device once. */
    private void upload() {
        NDManager m = trainer.getManager();
        trainX = m.create(train.features(), new Shape(train.size(), train.featureDim()));
        long[] labels = new long[train.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = train.labels()[i];
        }
        trainY = m.create(labels);
    }

    @Override
    public void startTotals(Totals start) {
        if (trainX == null) {
            upload();
        }
        NDManager m = trainer.getManager();
        if (lossTotal != null) {
            lossTotal.close();
            correctTotal.close();
        }
        lossTotal = m.create(start.lossSum());
        correctTotal = m.create((double) start.correct());
        weightTotal = start.weight();
    }

    @Override
    public Totals totals() {
        return lossTotal == null ? null
                : new Totals(lossTotal.getDouble(), weightTotal, Math.round(correctTotal.getDouble()));
    }

    @Override
    public void update(long step, int b, int epoch, NDManager sub) {
        method.beforeUpdate(state, step, epoch);
        long trainSteps = state.trainSteps();
        optimizer.step(targets(), step, method.scheduleStep(step, trainSteps), method.optimizerStateStep(step, trainSteps),
                sub);
        state.applyMasks();
        state.countStep(b, method.forwardDensity(), method.denseWeightGradients());
        method.afterUpdate(state, step, epoch);
        observer.afterStep(state, step);
    }

    /** The optimizer's targets, rebuilt only when a mask changed (not a new list every step). */
    private List<MaskedOptimizer.Target> targets() {
        if (targets == null || targetsVersion != state.maskVersion()) {
            targets = buildTargets();
            targetsVersion = state.maskVersion();
        }
        return targets;
    }

    private List<MaskedOptimizer.Target> buildTargets() {
        List<MaskedOptimizer.Target> targets = new ArrayList<>();
        for (Network.Layer l : net.layers()) {
            targets.add(new MaskedOptimizer.Target(l.name() + ".weight", l.weight(),
                    state.maskGradients() ? state.deviceMask(l.name()) : null));
            targets.add(new MaskedOptimizer.Target(l.name() + ".bias", l.bias(), state.deviceBiasMask(l.name())));
        }
        return targets;
    }

    @Override
    public void endEpoch(int epoch, long step) {
        method.afterEpoch(state, step, epoch, epochs);
        if (epoch == epochs) {
            method.afterTrainingPhase(state, step, epochs);
        }
    }

    @Override
    public List<MetricPoint> epochMetrics(int epoch, long step, double meanLoss) {
        return List.of(new MetricPoint("sparsity", step, epoch, state.sparsity()));
    }

    @Override
    public double learningRate(long step) {
        return optimizer.learningRate(method.scheduleStep(step, state.trainSteps()));
    }

    @Override
    public void endTraining(long step, int epochsDone) {
        method.onTrainingEnd(state, step, epochsDone);
    }

    @Override
    public void capture(Map<String, ModelArtifact.Tensor> tensors, Map<String, Double> scalars) {
        for (Network.Layer l : net.layers()) {
            tensors.put("param/" + l.name() + ".weight", new ModelArtifact.Tensor(l.weightShape(),
                    l.weight().getArray().toFloatArray()));
            tensors.put("param/" + l.name() + ".bias", new ModelArtifact.Tensor(new long[]{l.out()},
                    l.bias().getArray().toFloatArray()));
        }
        state.masks().forEach((k, v) -> tensors.put("mask/" + k, Checkpoint.vector(v)));
        state.biasMasks().forEach((k, v) -> tensors.put("biasmask/" + k, Checkpoint.vector(v)));
        optimizer.exportState().forEach((name, arrays) -> {
            for (int i = 0; i < arrays.length; i++) {
                tensors.put("opt/" + name + "/" + i, Checkpoint.vector(arrays[i]));
            }
        });
        method.saveState().forEach((k, v) -> tensors.put("method/" + k, Checkpoint.vector(v)));
        net.thresholds().forEach((k, v) -> tensors.put("threshold/" + k, Checkpoint.vector(new float[]{v})));
        scalars.put("trainingFlops", state.trainingFlops());
        scalars.put("maskSparsity", state.maskSparsity());
        scalars.put("target", spec.sparsity().target());
    }

    @Override
    public void restore(Checkpoint c) {
        c.requireTarget(spec.sparsity().target());
        Map<String, float[]> params = c.group("param");
        for (Network.Layer l : net.layers()) {
            l.weight().getArray().set(FloatBuffer.wrap(require(params, l.name() + ".weight", l.weightCount())));
            l.bias().getArray().set(FloatBuffer.wrap(require(params, l.name() + ".bias", l.out())));
        }
        Map<String, float[]> masks = c.group("mask");
        for (Map.Entry<String, float[]> e : masks.entrySet()) {
            Network.Layer l = net.layers().stream().filter(x -> x.name().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new CheckpointMismatchException("mask of unknown layer " + e.getKey()));
            if (e.getValue().length != l.weightCount()) {
                throw new CheckpointMismatchException("mask of " + l.name() + " has " + e.getValue().length
                        + " entries, the layer " + l.weightCount());
            }
        }
        // masks are installed without applying first: a weight that is non-zero under its mask is an error
        verifyMasked("weights", params, masks, ".weight");
        state.restoreMasks(masks, c.group("biasmask"));
        Map<String, Map<Integer, float[]>> opt = c.optimizerState();
        for (Map.Entry<String, Map<Integer, float[]>> e : opt.entrySet()) {
            String layer = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
            Network.Layer l = net.layers().stream().filter(x -> x.name().equals(layer)).findFirst()
                    .orElseThrow(() -> new CheckpointMismatchException("optimizer state of unknown " + e.getKey()));
            NDArray like = e.getKey().endsWith(".weight") ? l.weight().getArray() : l.bias().getArray();
            if (state.maskGradients() && e.getKey().endsWith(".weight")) {
                // the moments (not Adam's per-position reset steps, index 2) are zero where the mask is
                e.getValue().forEach((index, values) -> {
                    if (index < 2) {
                        verifyMasked("optimizer state", Map.of(e.getKey(), values), masks, ".weight");
                    }
                });
            }
            optimizer.importState(e.getKey(), like, e.getValue().values().toArray(new float[0][]));
        }
        method.restoreState(c.group("method"));
        c.group("threshold").forEach((k, v) -> net.setThreshold(k, v[0]));
        state.setTrainingFlops(c.scalar("trainingFlops"));
        if (state.maskSparsity() != c.scalar("maskSparsity")) {
            throw new CheckpointMismatchException("mask sparsity " + state.maskSparsity() + " != the recorded "
                    + c.scalar("maskSparsity"));
        }
    }

    private static float[] require(Map<String, float[]> params, String name, long count) {
        float[] v = params.get(name);
        if (v == null || v.length != count) {
            throw new CheckpointMismatchException("parameter " + name + " is missing or has "
                    + (v == null ? 0 : v.length) + " values instead of " + count);
        }
        return v;
    }

    private static void verifyMasked(String what, Map<String, float[]> values, Map<String, float[]> masks,
                                     String suffix) {
        masks.forEach((layer, m) -> {
            float[] v = values.get(layer + suffix);
            if (v == null) {
                return;
            }
            int bad = 0;
            for (int i = 0; i < m.length; i++) {
                if (m[i] == 0f && v[i] != 0f) {
                    bad++;
                }
            }
            if (bad > 0) {
                throw new CheckpointMismatchException(what + " of " + layer + " are non-zero at " + bad
                        + " masked positions");
            }
        });
    }

    @Override
    public ModelArtifact artifact() {
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        Map<String, BitSet> bits = new LinkedHashMap<>();
        Map<String, float[]> masks = state.masks();
        for (Network.Layer l : net.layers()) {
            tensors.put(l.name() + ".weight", new ModelArtifact.Tensor(l.weightShape(),
                    l.weight().getArray().toFloatArray()));
            tensors.put(l.name() + ".bias", new ModelArtifact.Tensor(new long[]{l.out()},
                    l.bias().getArray().toFloatArray()));
            float[] m = masks.get(l.name());
            if (m != null) {
                bits.put(l.name() + ".weight", ModelArtifact.toBits(m));
            }
        }
        net.thresholds().forEach((layer, tau) -> tensors.put(layer + ".threshold",
                new ModelArtifact.Tensor(new long[]{1}, new float[]{tau})));
        return new ModelArtifact(spec, tensors, bits);
    }

    @Override
    public double trainingFlops(long samples) {
        return state.trainingFlops();
    }

    @Override
    public double denseTrainingFlops(long samples) {
        return 3 * state.denseFlops() * epochs * (double) train.size();
    }

    @Override
    public NDManager manager() {
        return trainer.getManager();
    }

    @Override
    public void close() {
        close(state, optimizer, trainer, model);
    }

    private static void close(SparseState s, MaskedOptimizer o, Trainer t, Model m) {
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            try {
                if (o != null) {
                    o.close();
                }
            } finally {
                try {
                    if (t != null) {
                        t.close();
                    }
                } finally {
                    m.close();
                }
            }
        }
    }
}
