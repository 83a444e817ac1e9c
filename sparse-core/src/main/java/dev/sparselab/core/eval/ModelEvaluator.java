package dev.sparselab.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.sparselab.core.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.model.Network;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.train.NoGrad;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

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
        Network net = Network.build(artifact.spec().model(), test.featureDim(), test.classes());
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
                layers.add(new Evaluation.LayerSparsity(l.name(), w.shape(), n, nz, 1.0 - (double) nz / n));
                params += n;
                nonZero += nz;
            }
            ParameterStore store = new ParameterStore(manager, false);
            int n = test.size();
            int dim = test.featureDim();
            long correct = 0;
            double lossSum = 0;
            for (int start = 0; start < n; start += BATCH) {
                int bsz = Math.min(BATCH, n - start);
                float[] xb = new float[bsz * dim];
                System.arraycopy(test.features(), start * dim, xb, 0, bsz * dim);
                try (NDManager sub = manager.newSubManager()) {
                    NDArray x = sub.create(xb, new Shape(bsz, dim));
                    NDArray logits = net.block().forward(store, new NDList(x), false).singletonOrThrow();
                    float[] logSoftmax = logits.logSoftmax(1).toFloatArray();
                    int classes = test.classes();
                    for (int i = 0; i < bsz; i++) {
                        int label = test.labels()[start + i];
                        int best = 0;
                        for (int c = 1; c < classes; c++) {
                            if (logSoftmax[i * classes + c] > logSoftmax[i * classes + best]) {
                                best = c;
                            }
                        }
                        if (best == label) {
                            correct++;
                        }
                        lossSum -= logSoftmax[i * classes + label];
                    }
                }
            }
            return new Evaluation((double) correct / n, lossSum / n, 1.0 - (double) nonZero / params,
                    params, nonZero, n, layers);
        }
    }

    private static ModelArtifact.Tensor tensor(ModelArtifact artifact, String name) {
        ModelArtifact.Tensor t = artifact.tensors().get(name);
        if (t == null) {
            throw new IllegalArgumentException("artifact has no tensor '" + name + "'");
        }
        return t;
    }
}
