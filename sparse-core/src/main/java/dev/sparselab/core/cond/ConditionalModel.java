package dev.sparselab.core.cond;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.optim.MaskedOptimizer;
import dev.sparselab.core.sparsity.StepRandom;
import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.core.train.CheckpointMismatchException;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.FlopCounter;
import dev.sparselab.core.train.StepModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ConditionalNetwork} (transformer on token data, or an mlp with conditional blocks, or a network
 * trained with layer-local losses) as a {@link StepModel}: end-to-end backpropagation of cross-entropy over the
 * scored positions plus the blocks' auxiliary losses (or the layers' local losses), updated by
 * {@link MaskedOptimizer} (no masks). Every epoch reports bits per character (char-lm), per-expert load,
 * dropped tokens and auxiliary loss per block, and attention density.
 */
public final class ConditionalModel implements StepModel {
    private final ExperimentSpec spec;
    private final TokenData tokens;
    private final Dataset examples;
    private final NDManager manager;
    private final MaskedOptimizer optimizer;
    private final ConditionalNetwork net;
    /** Training FLOPs per row: dense, and as trained. */
    private final Flops.PerToken flops;
    private final FlopCounter trainingFlops = new FlopCounter();

    /** Whether a spec is trained as a conditional model rather than as a weight-sparse one. */
    public static boolean handles(ExperimentSpec spec) {
        return spec.model().conditional() || spec.dataset().tokens() || spec.training().local();
    }

    /** Opens the model of a run on token data (a transformer) or on examples (an mlp). */
    public ConditionalModel(ExperimentSpec spec, TokenData tokens, Dataset examples, Device device) {
        this.spec = spec;
        this.tokens = tokens;
        this.examples = examples;
        int batch = spec.training().batchSize();
        int n = examples();
        int stepsPerEpoch = (n + batch - 1) / batch;
        NDManager m = NDManager.newBaseManager(device, Engines.ENGINE);
        MaskedOptimizer o = null;
        try {
            o = new MaskedOptimizer(spec.training().optimizer(), (long) spec.training().epochs() * stepsPerEpoch, m);
            this.net = tokens != null
                    ? ConditionalNetwork.build(spec, tokens.vocabulary(), tokens.vocabulary(), tokens.frequencies(), m)
                    : ConditionalNetwork.build(spec, examples.featureDim(), examples.classes(), null, m);
            if (net.weights().count() != net.size().total()) {
                throw new IllegalStateException("model has " + net.weights().count() + " parameters, the spec "
                        + net.size().total());
            }
        } catch (RuntimeException | Error e) {
            if (o != null) {
                o.close();
            }
            m.close();
            throw e;
        }
        this.manager = m;
        this.optimizer = o;
        int inputs = tokens != null ? tokens.vocabulary() : examples.featureDim();
        int classes = tokens != null ? tokens.vocabulary() : examples.classes();
        this.flops = Flops.training(spec.model(), spec.training(), inputs, classes,
                Flops.of(spec.model(), spec.training(), inputs, classes, net.attentionDensity()));
    }

    @Override
    public int examples() {
        return tokens != null ? tokens.size() : examples.size();
    }

    @Override
    public int epochs() {
        return spec.training().epochs();
    }

    @Override
    public String dataHash() {
        return tokens != null ? tokens.hash() : examples.hash();
    }

    @Override
    public void beginEpoch(int epoch) {
        net.stats().forEach(LayerStats::reset);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public double learningRate(long step) {
        return optimizer.learningRate(step);
    }

    @Override
    public double trainingFlops(long samples) {
        return trainingFlops.total();
    }

    @Override
    public double denseTrainingFlops(long samples) {
        return (double) flops.dense() * net.rowsPerExample() * samples;
    }

    @Override
    public ModelArtifact artifact() {
        return new ModelArtifact(spec, net.weights().export(), new LinkedHashMap<>());
    }

    @Override
    public void close() {
        try {
            optimizer.close();
        } finally {
            manager.close();
        }
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

    @Override
    public StepOutcome forwardBackward(int[] order, int start, int b, long step, int epoch, NDManager sub) {
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
        float weight = 0;
        for (float w : batch.weights()) {
            weight += w;
        }
        return new StepOutcome(lossValue, (double) lossValue * weight, weight, correct);
    }

    @Override
    public void update(long step, int b, int epoch, NDManager sub) {
        optimizer.step(net.weights().targets(), step, sub);
        // every scored row trains as Flops.training counts it (its routed path; every leaf for fast feedforward;
        // layer-local passes for forward-forward and mono-forward)
        trainingFlops.add((double) b * net.rowsPerExample() * flops.sparse());
    }

    @Override
    public List<MetricPoint> epochMetrics(int epoch, long step, double loss) {
        List<MetricPoint> points = new ArrayList<>();
        if (DatasetSpec.CHAR_LM.equals(spec.dataset().name())) {
            points.add(new MetricPoint("train.bpc", step, epoch, loss / Math.log(2)));
            points.add(new MetricPoint("train.perplexity", step, epoch, Math.exp(loss)));
        }
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

    @Override
    public void capture(Map<String, ModelArtifact.Tensor> tensors, Map<String, Double> scalars) {
        net.weights().export().forEach((k, v) -> tensors.put("param/" + k, v));
        optimizer.exportState().forEach((name, arrays) -> {
            for (int i = 0; i < arrays.length; i++) {
                tensors.put("opt/" + name + "/" + i,
                        new ModelArtifact.Tensor(new long[]{arrays[i].length}, arrays[i]));
            }
        });
        scalars.put("trainingFlops", trainingFlops.total());
    }

    @Override
    public void restore(Checkpoint c) {
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
        c.optimizerState().forEach((name, arrays) -> optimizer.importState(name, net.weights().get(name),
                arrays.values().toArray(new float[0][])));
        // checkpoints before the count was kept: every example so far took the routed path
        trainingFlops.restore(c.scalars().containsKey("trainingFlops") ? c.scalar("trainingFlops")
                : (double) flops.sparse() * net.rowsPerExample() * c.scalar("samples"));
    }
}
