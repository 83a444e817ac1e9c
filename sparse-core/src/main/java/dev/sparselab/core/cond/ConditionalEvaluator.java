package dev.sparselab.core.cond;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.eval.ConditionalReport;
import dev.sparselab.core.eval.Cost;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.Latency;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.NoGrad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a stored conditional-computation model on its test split: loss and accuracy over the scored
 * positions (next-byte accuracy for char-lm, recall accuracy for associative-recall, class accuracy for an mlp),
 * bits per character and perplexity, top-5 accuracy above 10 classes, active parameters, routing per block,
 * attention density, FLOPs, and measured latency of the routed/gathered computation against the dense
 * reference (every expert, every causal pair) at batch 1 and a large batch.
 */
public final class ConditionalEvaluator {
    private static final int BATCH = 32;
    private static final int WARMUP = 2;
    private static final int REPEATS = 7;
    private final Device device;

    public ConditionalEvaluator() {
        this(Engines.device());
    }

    public ConditionalEvaluator(Device device) {
        this.device = device;
    }

    public Evaluation evaluate(ModelArtifact artifact, TokenData test) {
        return evaluate(artifact, test, null);
    }

    public Evaluation evaluate(ModelArtifact artifact, Dataset test) {
        return evaluate(artifact, null, test);
    }

    private Evaluation evaluate(ModelArtifact artifact, TokenData tokens, Dataset examples) {
        ExperimentSpec spec = artifact.spec();
        int inputs = tokens != null ? tokens.vocabulary() : examples.featureDim();
        int classes = tokens != null ? tokens.vocabulary() : examples.classes();
        int n = tokens != null ? tokens.size() : examples.size();
        try (NoGrad g = NoGrad.enter(); NDManager manager = NDManager.newBaseManager(device, Engines.ENGINE)) {
            ConditionalNetwork net = ConditionalNetwork.build(spec, inputs, classes,
                    tokens != null ? new long[tokens.vocabulary()] : null, manager);
            net.weights().load(artifact.tensors());
            net.stats().forEach(LayerStats::reset);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            double lossSum = 0;
            double weight = 0;
            long correct = 0;
            long top5 = 0;
            for (int start = 0; start < n; start += BATCH) {
                int b = Math.min(BATCH, n - start);
                ConditionalModel.Batch batch = ConditionalModel.batch(tokens, examples, order, start, b);
                try (NDManager sub = manager.newSubManager()) {
                    NDArray logits = net.logits(batch.tokens(), batch.features(), b, new Step(sub, false, false, 0,
                            true));
                    float[] nll = logits.logSoftmax(1).toFloatArray();
                    int[] ranks = classes > 10 ? top5(logits, batch) : null;
                    for (int r = 0; r < batch.targets().length; r++) {
                        float w = batch.weights()[r];
                        if (w > 0) {
                            lossSum -= w * nll[r * classes + batch.targets()[r]];
                            weight += w;
                            top5 += ranks != null && ranks[r] < 5 ? 1 : 0;
                        }
                    }
                    correct += ConditionalModel.correct(logits, batch);
                }
            }
            double loss = lossSum / Math.max(1e-9, weight);
            ConditionalSize.Count size = net.size();
            List<Double> densities = net.attentionDensity();
            Flops.PerToken flops = Flops.of(spec.model(), spec.training(), inputs, classes, densities);
            List<ConditionalReport.Block> blocks = new ArrayList<>();
            for (LayerStats s : net.stats()) {
                double[] load = s.loadFractions();
                blocks.add(new ConditionalReport.Block(s.name(), spec.model().ffn().kind(),
                        load.length <= 64 ? Arrays.stream(load).boxed().toList() : null, s.droppedFraction(),
                        s.imbalance(), s.coverage()));
            }
            boolean charLm = DatasetSpec.CHAR_LM.equals(spec.dataset().name());
            ConditionalReport report = new ConditionalReport(
                    tokens == null ? "classification" : spec.dataset().name(),
                    charLm ? loss / Math.log(2) : null, charLm ? Math.exp(loss) : null, size.total(), size.active(),
                    (double) size.active() / size.total(),
                    densities.isEmpty() ? null : densities.stream().mapToDouble(Double::doubleValue).average()
                            .orElse(1),
                    flops.dense(), flops.sparse(), blocks);
            List<Evaluation.LayerSparsity> layers = new ArrayList<>();
            for (Map.Entry<String, Long> e : net.weights().counts().entrySet()) {
                long[] shape = net.weights().get(e.getKey()).getShape().getShape();
                layers.add(new Evaluation.LayerSparsity(e.getKey(), shape, e.getValue(), e.getValue(), 0.0, shape, true));
            }
            long bytes = 4 * size.total();
            Cost cost = new Cost(flops.dense(), flops.sparse(), bytes, bytes, bytes, bytes, "dense", List.of());
            List<Latency> latency = latency(net, tokens, examples, manager);
            return new Evaluation(correct / Math.max(1e-9, weight), loss, 1.0 - (double) size.active() / size.total(),
                    size.total(), size.active(), (int) Math.round(weight), layers, List.of(), cost, null, latency,
                    classes > 10 ? top5 / Math.max(1e-9, weight) : null,
                    new Evaluation.EvaluationProvenance(tokens != null ? tokens.hash() : examples.hash(),
                            tokens != null ? tokens.name() : examples.name(), ai.djl.engine.Engine.getDjlVersion(),
                            Engines.ENGINE, Engines.engine().getVersion(), device.toString()), report,
                    Evaluation.WeightCount.of(size.total(), size.active()));
        }
    }

    /** Rank of each row's target among its logits (0 = the highest). */
    private static int[] top5(NDArray logits, ConditionalModel.Batch batch) {
        float[] v = logits.toFloatArray();
        int rows = batch.targets().length;
        int classes = v.length / rows;
        int[] rank = new int[rows];
        for (int r = 0; r < rows; r++) {
            float target = v[r * classes + batch.targets()[r]];
            int above = 0;
            for (int c = 0; c < classes; c++) {
                above += v[r * classes + c] > target ? 1 : 0;
            }
            rank[r] = above;
        }
        return rank;
    }

    /**
     * Median forward time of the routed/gathered computation ({@code sparseMs}, also in the coo/csr fields)
     * against the dense reference ({@code denseMs}; 0 where it would not fit, see above) at batch 1 and at
     * {@link #BATCH} (or the test size).
     */
    private static List<Latency> latency(ConditionalNetwork net, TokenData tokens, Dataset examples,
                                         NDManager manager) {
        int n = tokens != null ? tokens.size() : examples.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<Latency> out = new ArrayList<>();
        for (int b : new int[]{1, Math.min(BATCH, n)}) {
            ConditionalModel.Batch batch = ConditionalModel.batch(tokens, examples, order, 0, b);
            double sparse = time(net, batch, b, false, manager);
            // the dense reference of product keys scores all keys^2 memories per row: skipped (0) where that
            // would take more than 256 MB of scores
            boolean feasible = net.denseReferenceFloats((long) b * net.rowsPerExample()) <= (1L << 26);
            double dense = feasible ? time(net, batch, b, true, manager) : 0;
            out.add(new Latency(b, dense, sparse, sparse, sparse, feasible ? dense / sparse : 0, List.of(), null));
            if (n == 1) {
                break;
            }
        }
        return out;
    }

    private static double time(ConditionalNetwork net, ConditionalModel.Batch batch, int b, boolean dense,
                               NDManager manager) {
        double[] ms = new double[REPEATS];
        for (int i = -WARMUP; i < REPEATS; i++) {
            try (NDManager sub = manager.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray logits = net.logits(batch.tokens(), batch.features(), b, new Step(sub, false, dense, 0, false));
                logits.toFloatArray(); // wait for the result
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms[REPEATS / 2];
    }
}
