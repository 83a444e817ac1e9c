package dev.sparselab.core.data;

/** A training or test split: examples with labels ({@link Dataset}) or token sequences ({@link TokenData}). */
public sealed interface TrainingData permits Dataset, TokenData {
    /** Examples (or sequences). */
    int size();

    /** The data's content hash (provenance). */
    String hash();
}
