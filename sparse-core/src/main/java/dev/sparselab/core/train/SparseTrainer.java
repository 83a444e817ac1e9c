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
    public record Result(ModelArtifact artifact, RunProvenance provenance) {
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
        SparsityMethod method = Methods.create(spec, rng.split());
        long trainSteps = (long) epochs * stepsPerEpoch;
        long allSteps = trainSteps + (long) method.extraEpochs() * stepsPerEpoch;
        long started = System.nanoTime();
        long samples = 0;
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
                    SplittableRandom shuffleRng = rng.split();
                    long step = 0;
                    int allEpochs = epochs + method.extraEpochs();
                    for (int epoch = 1; epoch <= allEpochs; epoch++) {
                        step = epoch(trainer, net, state, method, optimizer, shuffleRng, epoch, step,
                                epoch <= epochs ? "train" : method.extraPhase());
                        method.afterEpoch(state, step, epoch, epochs);
                        if (epoch == epochs) {
                            method.afterTrainingPhase(state, step, epochs);
                        }
                        samples += train.size();
                    }
                    method.onTrainingEnd(state, step, allEpochs);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    ModelArtifact artifact = artifact(net, state.masks());
                    RunProvenance provenance = new RunProvenance(
                            ModelArtifact.sha256(EventCodec.encode(spec).getBytes(StandardCharsets.UTF_8)),
                            seed, train.hash(), Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(),
                            device.toString(),
                            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                            System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                            millis, samples * 1000.0 / Math.max(1, millis), state.trainingFlops(),
                            3 * state.denseFlops() * epochs * (double) train.size());
                    return new Result(artifact, provenance);
                } finally {
                    state.close();
                }
            }
        }
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

    /** One pass over the shuffled training split; returns the step counter after it. */
    private long epoch(Trainer trainer, Network net, SparseState state, SparsityMethod method,
                       MaskedOptimizer optimizer, SplittableRandom rng, int epoch, long step, String phase) {
        int n = train.size();
        int dim = train.featureDim();
        int batch = spec.training().batchSize();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float[] features = train.features();
        int[] labels = train.labels();
        double lossSum = 0;
        long correct = 0;
        long epochStart = System.nanoTime();
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            float[] xb = new float[b * dim];
            float[] yb = new float[b];
            for (int i = 0; i < b; i++) {
                int src = order[start + i];
                System.arraycopy(features, src * dim, xb, i * dim, dim);
                yb[i] = labels[src];
            }
            try (NDManager sub = trainer.getManager().newSubManager()) {
                if (cancelled.getAsBoolean()) {
                    throw new TrainingCancelledException("cancelled before step " + (step + 1));
                }
                observer.beforeStep(state, step + 1);
                method.beforeForward(state, step + 1, epoch);
                NDArray x = sub.create(xb, new Shape(b, dim));
                NDArray y = TrainingSpec.MSE.equals(spec.training().loss())
                        ? sub.create(yb, new Shape(b)).oneHot(train.classes())
                        : sub.create(yb, new Shape(b));
                float lossValue;
                float[] logits;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList pred = trainer.forward(new NDList(x));
                    NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
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
                optimizer.step(targets(net, state), step, sub);
                state.applyMasks();
                state.countStep(b, method.forwardDensity(), method.denseWeightGradients());
                method.afterUpdate(state, step, epoch);
                observer.afterStep(state, step);
                lossSum += lossValue * b;
                correct += countCorrect(logits, yb, train.classes());
            }
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        List<MetricPoint> points = new ArrayList<>();
        points.add(new MetricPoint("train.loss", step, epoch, lossSum / n));
        points.add(new MetricPoint("train.accuracy", step, epoch, (double) correct / n));
        points.add(new MetricPoint("sparsity", step, epoch, state.sparsity()));
        points.add(new MetricPoint("samples_per_second", step, epoch, n / seconds));
        points.add(new MetricPoint("learning_rate", step, epoch, optimizer.learningRate(step)));
        points.add(new MetricPoint("phase." + phase, step, epoch, 1));
        listener.onMetrics(points);
        return step;
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
