package dev.sparselab.core.cond;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunProvenance;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.core.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.optim.MaskedOptimizer;
import dev.sparselab.core.sparsity.StepRandom;
import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.core.train.CheckpointMismatchException;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.NoGrad;
import dev.sparselab.core.train.SparseTrainer;
import dev.sparselab.core.train.TrainingCancelledException;
import dev.sparselab.core.train.TrainingFailedException;
import dev.sparselab.core.train.TrainingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Trains a {@link ConditionalNetwork} (transformer on token data, or an mlp with conditional blocks) with
 * end-to-end backpropagation: cross-entropy over the scored positions plus the blocks' auxiliary losses,
 * updated by {@link MaskedOptimizer} (no masks). Every epoch reports loss, accuracy, bits per character
 * (char-lm), per-expert load, dropped tokens and auxiliary loss per block, and attention density. Checkpoints
 * (parameters, optimizer state, progress) let a resumed run continue exactly where it stopped.
 */
public final class ConditionalTrainer {
    private final ExperimentSpec spec;
    private final TokenData tokens;
    private final Dataset examples;
    private final TrainingListener listener;
    private final Device device;
    private BooleanSupplier cancelled = () -> false;
    private BooleanSupplier stopEarly = () -> false;
    private SparseTrainer.Checkpointer checkpointer;
    private Checkpoint resumeFrom;

    /** Token data for a transformer. */
    public ConditionalTrainer(ExperimentSpec spec, TokenData train, TrainingListener listener, Device device) {
        this(spec, train, null, listener, device);
    }

    /** Examples for an mlp. */
    public ConditionalTrainer(ExperimentSpec spec, Dataset train, TrainingListener listener, Device device) {
        this(spec, null, train, listener, device);
    }

    private ConditionalTrainer(ExperimentSpec spec, TokenData tokens, Dataset examples, TrainingListener listener,
                               Device device) {
        this.spec = spec;
        this.tokens = tokens;
        this.examples = examples;
        this.listener = listener;
        this.device = device;
    }

    public ConditionalTrainer cancelWhen(BooleanSupplier isCancelled) {
        this.cancelled = isCancelled;
        return this;
    }

    public ConditionalTrainer stopEarlyWhen(BooleanSupplier shouldStop) {
        this.stopEarly = shouldStop;
        return this;
    }

    public ConditionalTrainer checkpointWith(SparseTrainer.Checkpointer policy) {
        this.checkpointer = policy;
        return this;
    }

    public ConditionalTrainer resumeFrom(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /** Whether a spec is trained here rather than by {@link SparseTrainer}. */
    public static boolean handles(ExperimentSpec spec) {
        return spec.model().conditional() || spec.dataset().tokens() || spec.training().local();
    }

    int size() {
        return tokens != null ? tokens.size() : examples.size();
    }

    public SparseTrainer.Result run() {
        long seed = spec.training().seed();
        Engine engine = Engines.engine();
        engine.setRandomSeed((int) seed);
        int batch = spec.training().batchSize();
        int n = size();
        int stepsPerEpoch = (n + batch - 1) / batch;
        int epochs = spec.training().epochs();
        String specHash = SparseTrainer.specHash(spec);
        try (NoGrad noGrad = NoGrad.enter();
             NDManager manager = NDManager.newBaseManager(device, Engines.ENGINE);
             MaskedOptimizer optimizer = new MaskedOptimizer(spec.training().optimizer(),
                     (long) epochs * stepsPerEpoch, manager)) {
            ConditionalNetwork net = tokens != null
                    ? ConditionalNetwork.build(spec, tokens.vocabulary(), tokens.vocabulary(), tokens.frequencies(),
                    manager)
                    : ConditionalNetwork.build(spec, examples.featureDim(), examples.classes(), null, manager);
            if (net.weights().count() != net.size().total()) {
                throw new IllegalStateException("model has " + net.weights().count() + " parameters, the spec "
                        + net.size().total());
            }
            int epochsDone = 0;
            int position = 0;
            long step = 0;
            long samples = 0;
            long millisBefore = 0;
            if (resumeFrom != null) {
                restore(resumeFrom, specHash, net, optimizer, stepsPerEpoch);
                epochsDone = resumeFrom.epochsDone();
                position = resumeFrom.position();
                step = resumeFrom.step();
                samples = (long) resumeFrom.scalar("samples");
                millisBefore = (long) resumeFrom.scalar("millis");
            }
            long started = System.nanoTime() - millisBefore * 1_000_000;
            Flops.PerToken flops = Flops.of(spec.model(), tokens != null ? tokens.vocabulary() : examples.featureDim(),
                    tokens != null ? tokens.vocabulary() : examples.classes(), net.attentionDensity());
            boolean stoppedEarly = false;
            for (int epoch = epochsDone + 1; epoch <= epochs; epoch++) {
                net.stats().forEach(LayerStats::reset);
                Totals totals = new Totals();
                long epochStart = System.nanoTime();
                int[] order = order(n, seed, epoch);
                int first = position;
                for (int start = position * batch; start < n; start += batch) {
                    int b = Math.min(batch, n - start);
                    if (cancelled.getAsBoolean()) {
                        throw new TrainingCancelledException("cancelled before step " + (step + 1));
                    }
                    step++;
                    try (NDManager sub = manager.newSubManager()) {
                        trainStep(net, optimizer, order, start, b, step, sub, totals, epoch);
                    }
                    samples += b;
                    position++;
                    if (checkpointer != null && start + b < n && checkpointer.due(epoch - 1, position, step, false)) {
                        checkpointer.save(capture(net, optimizer, specHash, epoch - 1, position, step, samples,
                                started));
                    }
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                listener.onMetrics(metrics(net, totals, optimizer, step, epoch,
                        (long) (position - first) * batch / Math.max(1e-9, seconds)));
                epochsDone = epoch;
                position = 0;
                if (checkpointer != null && epoch < epochs && checkpointer.due(epoch, 0, step, true)) {
                    checkpointer.save(capture(net, optimizer, specHash, epoch, 0, step, samples, started));
                }
                if (epoch < epochs && stopEarly.getAsBoolean()) {
                    stoppedEarly = true;
                    break;
                }
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            long rowsPerSample = net.rowsPerExample();
            RunProvenance provenance = new RunProvenance(specHash, seed,
                    tokens != null ? tokens.hash() : examples.hash(), Engine.getDjlVersion(), engine.getEngineName(),
                    engine.getVersion(), device.toString(),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), millis,
                    samples * 1000.0 / Math.max(1, millis), 3.0 * flops.sparse() * rowsPerSample * samples,
                    3.0 * flops.dense() * rowsPerSample * samples);
            ModelArtifact artifact = new ModelArtifact(spec, net.weights().export(), new LinkedHashMap<>());
            return new SparseTrainer.Result(artifact, provenance, stoppedEarly, epochsDone);
        }
    }

    /** Loss sums of an epoch. */
    private static final class Totals {
        double lossSum;
        double weight;
        long correct;
    }

    private int[] order(int n, long seed, int epoch) {
        return dev.sparselab.core.data.Shuffle.permutation(n, StepRandom.of(seed, "shuffle").at(epoch));
    }

    /** A batch: token ids or features, and per row of logits its target and weight. */
    record Batch(int[] tokens, float[] features, int[] targets, float[] weights, int examples) {
    }

    static Batch batch(TokenData tokens, Dataset examples, int[] order, int start, int b) {
        if (tokens != null) {
            int len = tokens.length();
            int[] in = new int[b * len];
            int[] tg = new int[b * len];
            float[] w = new float[b * len];
            for (int i = 0; i < b; i++) {
                int src = order[start + i] * len;
                System.arraycopy(tokens.inputs(), src, in, i * len, len);
                System.arraycopy(tokens.targets(), src, tg, i * len, len);
                System.arraycopy(tokens.weights(), src, w, i * len, len);
            }
            return new Batch(in, null, tg, w, b);
        }
        int dim = examples.featureDim();
        float[] x = new float[b * dim];
        int[] y = new int[b];
        float[] w = new float[b];
        for (int i = 0; i < b; i++) {
            int src = order[start + i];
            System.arraycopy(examples.features(), src * dim, x, i * dim, dim);
            y[i] = examples.labels()[src];
            w[i] = 1f;
        }
        return new Batch(null, x, y, w, b);
    }

    /** Weighted mean cross-entropy over the rows of logits [rows, classes]. */
    static NDArray loss(NDArray logits, Batch batch, NDManager m) {
        int rows = batch.targets().length;
        NDArray targets = Ops.ints(m, batch.targets(), rows, 1);
        NDArray weights = m.create(batch.weights(), new Shape(rows));
        NDArray nll = logits.logSoftmax(1).gather(targets, 1).reshape(rows).neg();
        return nll.mul(weights).sum().div(Math.max(1e-9f, weights.sum().getFloat()));
    }

    /** Correct predictions (argmax) among the weighted rows. */
    static long correct(NDArray logits, Batch batch) {
        long[] best = logits.argMax(1).toLongArray();
        long c = 0;
        for (int i = 0; i < best.length; i++) {
            if (batch.weights()[i] > 0 && best[i] == batch.targets()[i]) {
                c++;
            }
        }
        return c;
    }

    private void trainStep(ConditionalNetwork net, MaskedOptimizer optimizer, int[] order, int start, int b,
                           long step, NDManager sub, Totals totals, int epoch) {
        Batch batch = batch(tokens, examples, order, start, b);
        Step s = new Step(sub, true, false, StepRandom.of(spec.training().seed(), "routing").seedAt(step), true);
        float lossValue;
        long correct;
        if (net instanceof LocalNetwork local) {
            // layer-local losses: no gradient crosses a layer boundary
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray task = local.localLoss(batch, s);
                gc.backward(task);
                lossValue = task.getFloat();
            }
            correct = correct(net.logits(batch.tokens(), batch.features(), b, new Step(sub, false, false, 0, false)),
                    batch);
        } else {
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray logits = net.logits(batch.tokens(), batch.features(), b, s);
                NDArray task = loss(logits, batch, sub);
                NDArray aux = s.auxLoss();
                NDArray total = aux == null ? task : task.add(aux);
                gc.backward(total);
                lossValue = task.getFloat();
                correct = correct(logits, batch);
            }
        }
        if (!Float.isFinite(lossValue)) {
            throw new TrainingFailedException("training diverged: loss is " + lossValue + " at epoch " + epoch
                    + ", step " + step + " (try a smaller learning rate; it is "
                    + spec.training().optimizer().learningRate() + ")");
        }
        optimizer.step(net.weights().targets(), step, sub);
        float weight = 0;
        for (float w : batch.weights()) {
            weight += w;
        }
        totals.lossSum += (double) lossValue * weight;
        totals.weight += weight;
        totals.correct += correct;
    }

    private List<MetricPoint> metrics(ConditionalNetwork net, Totals t, MaskedOptimizer optimizer, long step,
                                      int epoch, double samplesPerSecond) {
        List<MetricPoint> points = new ArrayList<>();
        double loss = t.lossSum / Math.max(1e-9, t.weight);
        points.add(new MetricPoint("train.loss", step, epoch, loss));
        points.add(new MetricPoint("train.accuracy", step, epoch, t.correct / Math.max(1e-9, t.weight)));
        if (DatasetSpec.CHAR_LM.equals(spec.dataset().name())) {
            points.add(new MetricPoint("train.bpc", step, epoch, loss / Math.log(2)));
            points.add(new MetricPoint("train.perplexity", step, epoch, Math.exp(loss)));
        }
        points.add(new MetricPoint("samples_per_second", step, epoch, samplesPerSecond));
        points.add(new MetricPoint("learning_rate", step, epoch, optimizer.learningRate(step)));
        points.add(new MetricPoint("phase.train", step, epoch, 1));
        points.add(new MetricPoint("params.total", step, epoch, net.size().total()));
        points.add(new MetricPoint("params.active", step, epoch, net.size().active()));
        List<Double> density = net.attentionDensity();
        if (!density.isEmpty()) {
            points.add(new MetricPoint("attention.density", step, epoch,
                    density.stream().mapToDouble(Double::doubleValue).average().orElse(1)));
        }
        for (LayerStats s : net.stats()) {
            points.addAll(layerMetrics(s, step, epoch));
        }
        return points;
    }

    /** A block's routing metrics: per-expert load (up to 64 experts), dropped fraction, imbalance, aux loss. */
    static List<MetricPoint> layerMetrics(LayerStats s, long step, int epoch) {
        List<MetricPoint> points = new ArrayList<>();
        String prefix = "ffn." + s.name().replace(".ffn", "");
        double[] load = s.loadFractions();
        if (load.length <= 64) {
            for (int e = 0; e < load.length; e++) {
                points.add(new MetricPoint(prefix + ".load." + e, step, epoch, load[e]));
            }
        } else {
            points.add(new MetricPoint(prefix + ".coverage", step, epoch, s.coverage()));
        }
        points.add(new MetricPoint(prefix + ".dropped", step, epoch, s.droppedFraction()));
        points.add(new MetricPoint(prefix + ".imbalance", step, epoch, s.imbalance()));
        if (!Double.isNaN(s.auxLoss())) {
            points.add(new MetricPoint(prefix + ".aux_loss", step, epoch, s.auxLoss()));
        }
        return points;
    }

    private Checkpoint capture(ConditionalNetwork net, MaskedOptimizer optimizer, String specHash, int epochsDone,
                               int position, long step, long samples, long started) {
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        net.weights().export().forEach((k, v) -> tensors.put("param/" + k, v));
        optimizer.exportState().forEach((name, arrays) -> {
            for (int i = 0; i < arrays.length; i++) {
                tensors.put("opt/" + name + "/" + i,
                        new ModelArtifact.Tensor(new long[]{arrays[i].length}, arrays[i]));
            }
        });
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("samples", (double) samples);
        scalars.put("millis", (double) ((System.nanoTime() - started) / 1_000_000));
        return new Checkpoint(specHash, epochsDone, position, step, scalars, tensors);
    }

    private void restore(Checkpoint c, String specHash, ConditionalNetwork net, MaskedOptimizer optimizer,
                         int stepsPerEpoch) {
        if (!c.specHash().equals(specHash)) {
            throw new CheckpointMismatchException("it was taken for spec " + c.specHash() + ", the run's spec is "
                    + specHash);
        }
        if (c.step() != (long) c.epochsDone() * stepsPerEpoch + c.position()) {
            throw new CheckpointMismatchException("step counter " + c.step() + " does not match " + c.epochsDone()
                    + " epochs of " + stepsPerEpoch + " steps and " + c.position() + " more");
        }
        Map<String, ModelArtifact.Tensor> params = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("param/")) {
                params.put(k.substring("param/".length()), v);
            }
        });
        try {
            net.weights().load(params);
        } catch (IllegalStateException e) {
            throw new CheckpointMismatchException(e.getMessage());
        }
        Map<String, Map<Integer, float[]>> opt = new LinkedHashMap<>();
        c.group("opt").forEach((k, v) -> {
            int slash = k.lastIndexOf('/');
            opt.computeIfAbsent(k.substring(0, slash), x -> new java.util.TreeMap<>())
                    .put(Integer.parseInt(k.substring(slash + 1)), v);
        });
        opt.forEach((name, arrays) -> optimizer.importState(name, net.weights().get(name),
                arrays.values().toArray(new float[0][])));
    }
}
