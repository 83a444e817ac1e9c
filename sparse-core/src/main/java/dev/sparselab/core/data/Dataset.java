package dev.sparselab.core.data;

/**
 * An in-memory classification split: row-major features ({@code size x featureDim}) and labels.
 * Arrays are owned by the dataset and must not be modified.
 *
 * @param name       e.g. {@code fashion-mnist/train}
 * @param features   {@code size * featureDim} floats, already normalized
 * @param labels     class index per example
 * @param featureDim features per example
 * @param classes    number of classes
 * @param hash       sha256 over the source (files, or generator and seed), for provenance
 */
public record Dataset(String name, float[] features, int[] labels, int featureDim, int classes, String hash)
        implements TrainingData {
    public Dataset {
        if (features.length != labels.length * featureDim) {
            throw new IllegalArgumentException("features (" + features.length + ") != labels ("
                    + labels.length + ") x featureDim (" + featureDim + ")");
        }
    }

    @Override
    public int size() {
        return labels.length;
    }
}
