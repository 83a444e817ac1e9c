package dev.sparselab.core.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunProvenance;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.core.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import dev.sparselab.core.optim.MaskedOptimizer;
import dev.sparselab.core.sparsity.Methods;
import dev.sparselab.core.sparsity.SparseState;
import dev.sparselab.core.sparsity.SparsityMethod;
import dev.sparselab.core.sparsity.StepRandom;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains one run: a spec, its training split, and a listener for progress. The spec's sparsity method
 * ({@link Methods}) hooks into every step; DJL's trainer runs forward and backward, and the update is
 * {@link MaskedOptimizer}'s (masked gradients, resettable state).
 *
 * <p>Masks are applied to the weights after every optimizer step, so a masked weight is exactly zero
 * whenever the model is observed. Each step's arrays live in a sub-manager closed at the end of the
 * step. Autograd recording is off except inside the gradient collector. Not thread-safe: one instance
 * trains one run on the calling thread.
 */
public final class SparseTrainer {
    private final ExperimentSpec spec;
    private final Dataset train;
    private final TrainingListener listener;
    private final Device device;
    private StepObserver observer = (state, step) -> { };
    private java.util.function.BooleanSupplier cancelled = () -> false;

    /** Stops training (with {@link TrainingCancelledException}) at the first step at which this says true. */
    public SparseTrainer cancelWhen(java.util.function.BooleanSupplier isCancelled) {
        this.cancelled = isCancelled;
        return this;
    }

    /** Sees the model around every optimizer step. */
    @FunctionalInterface
    public interface StepObserver {
        /** After the step: masks applied and the method has run. */
        void afterStep(SparseState state, long step);

        /** Before the step's forward pass (and before the method's per-step hooks). */
        default void beforeStep(SparseState state, long step) {
        }
    }

    /** Registers an observer of every step (for invariant checks and debugging); returns this trainer. */
    public SparseTrainer observeSteps(StepObserver stepObserver) {
        this.observer = stepObserver;
        return this;
    }

    public SparseTrainer(ExperimentSpec spec, Dataset train, TrainingListener listener) {
        this(spec, train, listener, Engines.device());
    }

    public SparseTrainer(ExperimentSpec spec, Dataset train, TrainingListener listener, Device device) {
        this.spec = spec;
        this.train = train;
        this.listener = listener;
        this.device = device;
    }

    /** The outcome of training: the artifact and how fast it went. */
    public record Result(ModelArtifact artifact, RunProvenance provenance, boolean stoppedEarly, int epochs) {
    }

    /** Decides when to checkpoint and stores checkpoints (e.g. as artifacts). */
    public interface Checkpointer {
        /**
         * Asked after every step: whether to checkpoint now.
         *
         * @param epochsDone epochs completed
         * @param position   steps done in the current epoch (0 when {@code epochEnd})
         * @param epochEnd   the step completed an epoch (its end-of-epoch hooks have run)
         */
        boolean due(int epochsDone, int position, long step, boolean epochEnd);

        void save(Checkpoint checkpoint);
    }

    private Checkpointer checkpointer;
    private Checkpoint resumeFrom;
    private java.util.function.BooleanSupplier stopEarly = () -> false;

    /** Takes checkpoints when {@code policy} says so; returns this trainer. */
    public SparseTrainer checkpointWith(Checkpointer policy) {
        this.checkpointer = policy;
        return this;
    }

    /**
     * Continues from a checkpoint of this same spec instead of starting fresh; the checkpoint is checked
     * against the run first ({@link CheckpointMismatchException} when it does not fit).
     */
    public SparseTrainer resumeFrom(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Ends training early, at the next epoch boundary at which this says true (ASHA): the model is
     * finished as it is (end-of-training hooks run) and the result is marked stopped early.
     */
    public SparseTrainer stopEarlyWhen(java.util.function.BooleanSupplier shouldStop) {
        this.stopEarly = shouldStop;
        return this;
    }

    /** sha256 of the spec as the trainer sees it (checkpoints and provenance carry it). */
    public static String specHash(ExperimentSpec spec) {
        return ModelArtifact.sha256(EventCodec.encode(spec).getBytes(StandardCharsets.UTF_8));
    }

    public Result run() {
        long seed = spec.training().seed();
        Engine engine = Engines.engine();
        engine.setRandomSeed((int) seed);
        SparsitySpec sparsity = spec.sparsity();
        Network net = Network.build(spec.model(), sparsity, train.featureDim(), train.classes());
        int batch = spec.training().batchSize();
        int stepsPerEpoch = (train.size() + batch - 1) / batch;
        int epochs = spec.training().epochs();
        SplittableRandom rng = new SplittableRandom(seed);
        SparsityMethod method = Methods.create(spec, StepRandom.of(seed, "method"));
        long trainSteps = (long) epochs * stepsPerEpoch;
        long allSteps = trainSteps + (long) method.extraEpochs() * stepsPerEpoch;
        String specHash = specHash(spec);
        try (NoGrad noGrad = NoGrad.enter(); Model model = Model.newInstance("run", device, Engines.ENGINE)) {
            model.setBlock(net.block());
            try (Trainer trainer = model.newTrainer(config());
                 MaskedOptimizer optimizer = new MaskedOptimizer(spec.training().optimizer(), allSteps,
                         trainer.getManager())) {
                trainer.initialize(new Shape(batch, train.featureDim()));
                initialize(net, rng.split());
                SparseState state = new SparseState(net, optimizer, trainer.getManager(), listener,
                        method.denseLayers(sparsity), trainSteps, stepsPerEpoch, train);
                state.setPositions(net.outputPositions(trainer.getManager()));
                try {
                    method.init(state);
                    Progress p = new Progress();
                    if (resumeFrom != null) {
                        p = restore(resumeFrom, specHash, net, state, method, optimizer, stepsPerEpoch);
                    }
                    int allEpochs = epochs + method.extraEpochs();
                    boolean stoppedEarly = false;
                    long started = System.nanoTime() - p.millis * 1_000_000;
                    for (int epoch = p.epochsDone + 1; epoch <= allEpochs; epoch++) {
                        Loop loop = new Loop(trainer, net, state, method, optimizer, specHash, epoch,
                                epoch <= epochs ? "train" : method.extraPhase(), started);
                        epoch(loop, p);
                        method.afterEpoch(state, p.step, epoch, epochs);
                        if (epoch == epochs) {
                            method.afterTrainingPhase(state, p.step, epochs);
                        }
                        p.epochsDone = epoch;
                        p.position = 0;
                        p.lossSum = 0;
                        p.correct = 0;
                        if (checkpointer != null && epoch < allEpochs
                                && checkpointer.due(epoch, 0, p.step, true)) {
                            checkpointer.save(capture(loop, p));
                        }
                        if (epoch < allEpochs && stopEarly.getAsBoolean()) {
                            stoppedEarly = true;
                            break;
                        }
                    }
                    method.onTrainingEnd(state, p.step, p.epochsDone);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    ModelArtifact artifact = artifact(net, state.masks());
                    RunProvenance provenance = new RunProvenance(specHash,
                            seed, train.hash(), Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(),
                            device.toString(),
                            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                            System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                            millis, p.samples * 1000.0 / Math.max(1, millis), state.trainingFlops(),
                            3 * state.denseFlops() * epochs * (double) train.size());
                    return new Result(artifact, provenance, stoppedEarly, p.epochsDone);
                } finally {
                    state.close();
                }
            }
        }
    }

    /** Where training stands: what a checkpoint records besides the model. */
    private static final class Progress {
        int epochsDone;
        int position;
        long step;
        long samples;
        long millis;
        double lossSum;
        long correct;
    }

    /** What one epoch works with. */
    private record Loop(Trainer trainer, Network net, SparseState state, SparsityMethod method,
                        MaskedOptimizer optimizer, String specHash, int epoch, String phase, long started) {
    }

    private Checkpoint capture(Loop loop, Progress p) {
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        SparseState state = loop.state();
        for (Network.Layer l : loop.net().layers()) {
            tensors.put("param/" + l.name() + ".weight", new ModelArtifact.Tensor(l.weightShape(),
                    l.weight().getArray().toFloatArray()));
            tensors.put("param/" + l.name() + ".bias", new ModelArtifact.Tensor(new long[]{l.out()},
                    l.bias().getArray().toFloatArray()));
        }
        state.masks().forEach((k, v) -> tensors.put("mask/" + k, vector(v)));
        state.biasMasks().forEach((k, v) -> tensors.put("biasmask/" + k, vector(v)));
        loop.optimizer().exportState().forEach((name, arrays) -> {
            for (int i = 0; i < arrays.length; i++) {
                tensors.put("opt/" + name + "/" + i, vector(arrays[i]));
            }
        });
        loop.method().saveState().forEach((k, v) -> tensors.put("method/" + k, vector(v)));
        loop.net().thresholds().forEach((k, v) -> tensors.put("threshold/" + k, vector(new float[]{v})));
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("samples", (double) p.samples);
        scalars.put("millis", (double) ((System.nanoTime() - loop.started()) / 1_000_000));
        scalars.put("trainingFlops", state.trainingFlops());
        scalars.put("lossSum", p.lossSum);
        scalars.put("correct", (double) p.correct);
        scalars.put("maskSparsity", state.maskSparsity());
        scalars.put("target", spec.sparsity().target());
        return new Checkpoint(loop.specHash(), p.epochsDone, p.position, p.step, scalars, tensors);
    }

    private static ModelArtifact.Tensor vector(float[] values) {
        return new ModelArtifact.Tensor(new long[]{values.length}, values);
    }

    /** Loads a checkpoint into the freshly initialized run, after checking that it belongs to it. */
    private Progress restore(Checkpoint c, String specHash, Network net, SparseState state, SparsityMethod method,
                             MaskedOptimizer optimizer, int stepsPerEpoch) {
        if (!c.specHash().equals(specHash)) {
            throw new CheckpointMismatchException("it was taken for spec " + c.specHash() + ", the run's spec is "
                    + specHash);
        }
        if (c.step() != (long) c.epochsDone() * stepsPerEpoch + c.position()) {
            throw new CheckpointMismatchException("step counter " + c.step() + " does not match " + c.epochsDone()
                    + " epochs of " + stepsPerEpoch + " steps and " + c.position() + " more");
        }
        if (c.scalar("target") != spec.sparsity().target()) {
            throw new CheckpointMismatchException("target sparsity " + c.scalar("target") + " != the spec's "
                    + spec.sparsity().target());
        }
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
        Map<String, Map<Integer, float[]>> opt = new LinkedHashMap<>();
        c.group("opt").forEach((k, v) -> {
            int slash = k.lastIndexOf('/');
            opt.computeIfAbsent(k.substring(0, slash), x -> new java.util.TreeMap<>())
                    .put(Integer.parseInt(k.substring(slash + 1)), v);
        });
        for (Map.Entry<String, Map<Integer, float[]>> e : opt.entrySet()) {
            String layer = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
            Network.Layer l = net.layers().stream().filter(x -> x.name().equals(layer)).findFirst()
                    .orElseThrow(() -> new CheckpointMismatchException("optimizer state of unknown " + e.getKey()));
            NDArray like = e.getKey().endsWith(".weight") ? l.weight().getArray() : l.bias().getArray();
            if (state.maskGradients() && e.getKey().endsWith(".weight")) {
                for (float[] values : e.getValue().values()) {
                    verifyMasked("optimizer state", Map.of(e.getKey(), values), masks, ".weight");
                }
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
        Progress p = new Progress();
        p.epochsDone = c.epochsDone();
        p.position = c.position();
        p.step = c.step();
        p.samples = (long) c.scalar("samples");
        p.millis = (long) c.scalar("millis");
        p.lossSum = c.scalar("lossSum");
        p.correct = (long) c.scalar("correct");
        return p;
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

    private DefaultTrainingConfig config() {
        // the optimizer step is ours (MaskedOptimizer); DJL's trainer only runs forward and backward
        Loss loss = TrainingSpec.MSE.equals(spec.training().loss()) ? Loss.l2Loss() : Loss.softmaxCrossEntropyLoss();
        return new DefaultTrainingConfig(loss)
                .optDevices(new Device[]{device});
    }

    private static void initialize(Network net, SplittableRandom rng) {
        for (Network.Layer l : net.layers()) {
            float[][] wb = Network.initialValues(l, rng);
            l.weight().getArray().set(FloatBuffer.wrap(wb[0]));
            l.bias().getArray().set(FloatBuffer.wrap(wb[1]));
        }
    }

    private static List<MaskedOptimizer.Target> targets(Network net, SparseState state) {
        List<MaskedOptimizer.Target> targets = new ArrayList<>();
        for (Network.Layer l : net.layers()) {
            targets.add(new MaskedOptimizer.Target(l.name() + ".weight", l.weight(),
                    state.maskGradients() ? state.deviceMask(l.name()) : null));
            targets.add(new MaskedOptimizer.Target(l.name() + ".bias", l.bias(), state.deviceBiasMask(l.name())));
        }
        return targets;
    }

    /**
     * One pass over the epoch's shuffled order of the training split, from {@code p.position}; advances
     * {@code p}. The order is a function of the seed and the epoch, so a resumed epoch sees the same batches.
     */
    private void epoch(Loop loop, Progress p) {
        int epoch = loop.epoch();
        SparseState state = loop.state();
        SparsityMethod method = loop.method();
        int n = train.size();
        int dim = train.featureDim();
        int batch = spec.training().batchSize();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = StepRandom.of(spec.training().seed(), "shuffle").at(epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        StepRandom dropout = spec.model().dropout() != null && spec.model().dropout() > 0
                ? StepRandom.of(spec.training().seed(), "dropout") : null;
        float[] features = train.features();
        int[] labels = train.labels();
        long epochStart = System.nanoTime();
        int firstPosition = p.position;
        for (int start = p.position * batch; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            float[] xb = new float[b * dim];
            float[] yb = new float[b];
            for (int i = 0; i < b; i++) {
                int src = order[start + i];
                System.arraycopy(features, src * dim, xb, i * dim, dim);
                yb[i] = labels[src];
            }
            long step = p.step;
            try (NDManager sub = loop.trainer().getManager().newSubManager()) {
                if (cancelled.getAsBoolean()) {
                    throw new TrainingCancelledException("cancelled before step " + (step + 1));
                }
                observer.beforeStep(state, step + 1);
                method.beforeForward(state, step + 1, epoch);
                if (dropout != null) {
                    Engines.engine().setRandomSeed((int) dropout.seedAt(step + 1));
                }
                NDArray x = sub.create(xb, new Shape(b, dim));
                NDArray y = TrainingSpec.MSE.equals(spec.training().loss())
                        ? sub.create(yb, new Shape(b)).oneHot(train.classes())
                        : sub.create(yb, new Shape(b));
                float lossValue;
                float[] logits;
                try (GradientCollector gc = loop.trainer().newGradientCollector()) {
                    NDList pred = loop.trainer().forward(new NDList(x));
                    NDArray loss = loop.trainer().getLoss().evaluate(new NDList(y), pred);
                    gc.backward(loss);
                    lossValue = loss.getFloat();
                    logits = pred.singletonOrThrow().toType(DataType.FLOAT32, false).toFloatArray();
                }
                step++;
                if (!Float.isFinite(lossValue)) {
                    throw new TrainingFailedException("training diverged: loss is " + lossValue + " at epoch "
                            + epoch + ", step " + step + " (try a smaller learning rate; it is "
                            + spec.training().optimizer().learningRate() + ")");
                }
                method.beforeUpdate(state, step, epoch);
                loop.optimizer().step(targets(loop.net(), state), step, sub);
                state.applyMasks();
                state.countStep(b, method.forwardDensity(), method.denseWeightGradients());
                method.afterUpdate(state, step, epoch);
                observer.afterStep(state, step);
                p.lossSum += lossValue * b;
                p.correct += countCorrect(logits, yb, train.classes());
            }
            p.step = step;
            p.samples += b;
            p.position++;
            if (checkpointer != null && start + b < n && checkpointer.due(epoch - 1, p.position, step, false)) {
                checkpointer.save(capture(loop, p));
            }
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        long step = p.step;
        List<MetricPoint> points = new ArrayList<>();
        points.add(new MetricPoint("train.loss", step, epoch, p.lossSum / n));
        points.add(new MetricPoint("train.accuracy", step, epoch, (double) p.correct / n));
        points.add(new MetricPoint("sparsity", step, epoch, state.sparsity()));
        points.add(new MetricPoint("samples_per_second", step, epoch,
                (long) (p.position - firstPosition) * batch / seconds));
        points.add(new MetricPoint("learning_rate", step, epoch, loop.optimizer().learningRate(step)));
        points.add(new MetricPoint("phase." + loop.phase(), step, epoch, 1));
        listener.onMetrics(points);
    }

    static int countCorrect(float[] logits, float[] labels, int classes) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            if (best == (int) labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    private ModelArtifact artifact(Network net, Map<String, float[]> masks) {
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        Map<String, BitSet> bits = new LinkedHashMap<>();
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
}
