package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which data to train and test on.
 *
 * @param name        {@code fashion-mnist} or {@code synthetic}
 * @param trainSubset optional number of training examples (a seeded, class-balanced subset)
 * @param testSubset  optional number of test examples (a seeded, class-balanced subset)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetSpec(String name, Integer trainSubset, Integer testSubset) {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SYNTHETIC = "synthetic";

    DatasetSpec withDefaults() {
        return this;
    }
}
