package dev.sparselab.core.eval;

import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.TrainingSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.engine.SparseMatrix;
import dev.sparselab.core.engine.SparseNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The evaluation of a model whose artifact holds weights at their active positions only (a sparse-engine model too
 * large to store dense): the same report as {@link ModelEvaluator}'s, computed through the sparse engine's forward
 * pass (accuracy, loss, activation sparsity), the layers' counts and costs from their entries, and the latency of
 * the sparse kernels against the dense product ({@link Latency#measureSparse}).
 */
final class SparseEvaluator {
    private static final int BATCH = 256;

    private SparseEvaluator() {
    }

    static Evaluation evaluate(ModelArtifact artifact, Dataset test, NDManager manager, String device) {
        ExperimentSpec spec = artifact.spec();
        List<String> names = spec.model().layerNames();
        Set<String> dense = ModelEvaluator.denseLayers(names, spec.sparsity() == null ? List.of()
                : spec.sparsity().withDefaults().denseLayers());
        List<SparseNetwork.Layer> layers = new ArrayList<>();
        List<Evaluation.LayerSparsity> sparsity = new ArrayList<>();
        List<Cost.LayerCost> costs = new ArrayList<>();
        long params = 0;
        long nonZero = 0;
        long allParams = 0;
        long allNonZero = 0;
        for (String name : names) {
            SparseMatrix w = weight(artifact, name);
            ModelArtifact.Tensor bias = artifact.tensors().get(name + ".bias");
            if (bias == null || bias.data().length != w.rows()) {
                throw new IllegalArgumentException("artifact has no bias for layer " + name);
            }
            layers.add(new SparseNetwork.Layer(name, w, bias.data()));
            long n = (long) w.rows() * w.cols();
            long nz = 0;
            boolean[] liveRow = new boolean[w.rows()];
            boolean[] liveCol = new boolean[w.cols()];
            for (int r = 0; r < w.rows(); r++) {
                for (int k = w.rowPtr()[r]; k < w.rowPtr()[r + 1]; k++) {
                    if (w.values()[k] != 0f) {
                        nz++;
                        liveRow[r] = true;
                        liveCol[w.colIdx()[k]] = true;
                    }
                }
            }
            boolean sparsified = !dense.contains(name);
            sparsity.add(new Evaluation.LayerSparsity(name, new long[]{w.rows(), w.cols()}, n, nz,
                    1.0 - (double) nz / n, new long[]{count(liveRow), count(liveCol)}, sparsified));
            costs.add(Cost.layer(name, w.rows(), w.cols(), nz, 1));
            if (sparsified) {
                params += n;
                nonZero += nz;
            }
            allParams += n;
            allNonZero += nz;
        }
        SparseNetwork net = new SparseNetwork(layers, spec.model().activation());
        ModelEvaluator.Predictions predictions = new ModelEvaluator.Predictions(test.classes(),
                TrainingSpec.MSE.equals(spec.training().loss()),
                TrainingSpec.SUM_OUTPUTS.equals(spec.training().reduction()));
        long[] zeros = new long[names.size() - 1];
        int n = test.size();
        int dim = test.featureDim();
        int classes = test.classes();
        for (int start = 0; start < n; start += BATCH) {
            int b = Math.min(BATCH, n - start);
            float[] x = new float[b * dim];
            System.arraycopy(test.features(), start * dim, x, 0, b * dim);
            float[] logitsT = net.forward(SparseMatrix.featureMajor(x, b, dim), b, zeros);
            float[] out = new float[b * classes];
            float[] logSoftmax = new float[b * classes];
            for (int e = 0; e < b; e++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    out[e * classes + c] = logitsT[c * b + e];
                    max = Math.max(max, out[e * classes + c]);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(out[e * classes + c] - max);
                }
                double logSum = Math.log(sum) + max;
                for (int c = 0; c < classes; c++) {
                    logSoftmax[e * classes + c] = (float) (out[e * classes + c] - logSum);
                }
            }
            predictions.add(out, logSoftmax, test.labels(), start, b);
        }
        List<Evaluation.ActivationSparsity> activations = new ArrayList<>();
        for (int l = 0; l < zeros.length; l++) {
            activations.add(new Evaluation.ActivationSparsity(names.get(l),
                    (double) zeros[l] / ((long) layers.get(l).weight().rows() * n)));
        }
        List<SparseMatrix> weights = layers.stream().map(SparseNetwork.Layer::weight).toList();
        List<Latency> latency = Latency.measureSparse(manager, names, weights, ModelEvaluator.LATENCY_BATCHES);
        return new Evaluation(predictions.accuracy(n), predictions.meanLoss(n),
                params == 0 ? 0.0 : 1.0 - (double) nonZero / params, params, nonZero, n, sparsity, activations,
                Cost.of(costs), null, latency,
                test.classes() > ModelEvaluator.TOP5_ABOVE_CLASSES ? predictions.top5(n) : null,
                new Evaluation.EvaluationProvenance(test.hash(), test.name(), ai.djl.engine.Engine.getDjlVersion(),
                        "SparseLab sparse engine", System.getProperty("java.version"), device), null,
                Evaluation.WeightCount.of(allParams, allNonZero));
    }

    /** A layer's weight: its sparse entries, or the non-zeros of its dense tensor. */
    private static SparseMatrix weight(ModelArtifact artifact, String name) {
        ModelArtifact.SparseTensor s = artifact.sparse().get(name + ".weight");
        if (s != null) {
            return SparseMatrix.ofRows((int) s.shape()[0], (int) s.shape()[1], s.rowPtr(), s.colIdx(), s.values());
        }
        ModelArtifact.Tensor t = artifact.tensors().get(name + ".weight");
        if (t == null || t.shape().length != 2) {
            throw new IllegalArgumentException("artifact has no linear weight for layer " + name);
        }
        return SparseMatrix.ofNonZeros(t.data(), (int) t.shape()[0], (int) t.shape()[1]);
    }

    private static long count(boolean[] live) {
        long c = 0;
        for (boolean b : live) {
            if (b) {
                c++;
            }
        }
        return c;
    }
}
