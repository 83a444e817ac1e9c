package dev.sparselab.core.data;

import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import java.nio.charset.StandardCharsets;

/**
 * Fashion-MNIST's pixel normalizations. Splits are loaded as {@code global}, (x/255 - MEAN) / STD with one
 * mean and deviation for every pixel; {@code unit} and {@code standardize} are computed from that exactly
 * (x/255 = x * STD + MEAN). {@code standardize} uses the per-pixel mean and deviation of the training split only,
 * for the test split too (a pixel that never varies is only centred). The dataset's hash names the normalization.
 */
final class Normalization {
    private Normalization() {
    }

    /** {@code split} normalized as asked; {@code train} is the full training split (for standardize). */
    static Dataset apply(String normalize, Dataset split, Dataset train) {
        if (normalize == null || DatasetSpec.GLOBAL.equals(normalize)) {
            return split;
        }
        int dim = split.featureDim();
        float[] x = split.features().clone();
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * FashionMnist.STD + FashionMnist.MEAN;
        }
        if (DatasetSpec.STANDARDIZE.equals(normalize)) {
            double[] mean = new double[dim];
            double[] sq = new double[dim];
            float[] t = train.features();
            int n = train.size();
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < dim; j++) {
                    double v = t[r * dim + j] * FashionMnist.STD + FashionMnist.MEAN;
                    mean[j] += v;
                    sq[j] += v * v;
                }
            }
            float[] m = new float[dim];
            float[] s = new float[dim];
            for (int j = 0; j < dim; j++) {
                m[j] = (float) (mean[j] / n);
                double var = Math.max(0, sq[j] / n - (mean[j] / n) * (mean[j] / n));
                s[j] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (x[i] - m[i % dim]) / s[i % dim];
            }
        } else if (!DatasetSpec.UNIT.equals(normalize)) {
            throw new IllegalArgumentException("unknown normalization '" + normalize + "'");
        }
        String hash = ModelArtifact.sha256((split.hash() + "/" + normalize).getBytes(StandardCharsets.UTF_8));
        return new Dataset(split.name(), x, split.labels(), dim, split.classes(), hash);
    }
}
