package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which data to train and test on.
 *
 * @param name        {@code fashion-mnist}, {@code synthetic}, {@code char-lm} or {@code associative-recall}
 * @param trainSubset optional number of training examples (a seeded, class-balanced subset); for token data the
 *                    number of training sequences (associative-recall: default 2000)
 * @param testSubset  optional number of test examples (a seeded, class-balanced subset); token data: test
 *                    sequences (associative-recall: default 500)
 * @param path        char-lm: the text file, relative to the trainer's text directory
 *                    ({@code sparselab.text-dir}, default {@code /usr/share/games/fortunes} from Debian's
 *                    {@code fortunes} package); default {@code songs-poems}
 * @param pairs       associative-recall: how many key-value pairs must be recalled (default 256)
 * @param recall      associative-recall: {@code memory} (a fixed table of {@code pairs} two-token keys, stored
 *                    in the weights) or {@code context} (each sequence lists {@code pairs} pairs, then queries them)
 * @param normalize   fashion-mnist pixels: {@code global} (null: (x/255 - 0.2860) / 0.3530, one mean and deviation
 *                    for every pixel, as torchvision examples do), {@code unit} (x/255, in [0, 1]) or
 *                    {@code standardize} (per pixel, mean and deviation of the training split only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetSpec(String name, Integer trainSubset, Integer testSubset, String path, Integer pairs,
                          String recall, String normalize) {
    public static final String GLOBAL = "global";
    public static final String UNIT = "unit";
    public static final String STANDARDIZE = "standardize";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SYNTHETIC = "synthetic";
    public static final String CHAR_LM = "char-lm";
    public static final String ASSOCIATIVE_RECALL = "associative-recall";
    public static final String DEFAULT_TEXT = "songs-poems";

    public DatasetSpec(String name, Integer trainSubset, Integer testSubset) {
        this(name, trainSubset, testSubset, null, null, null, null);
    }

    /** Token sequences (for transformers) rather than feature vectors. */
    public boolean tokens() {
        return CHAR_LM.equals(name) || ASSOCIATIVE_RECALL.equals(name);
    }

    DatasetSpec withDefaults() {
        return switch (name) {
            case CHAR_LM -> new DatasetSpec(name, trainSubset, testSubset, path == null ? DEFAULT_TEXT : path, null,
                    null, null);
            case ASSOCIATIVE_RECALL -> new DatasetSpec(name, trainSubset == null ? 2000 : trainSubset,
                    testSubset == null ? 500 : testSubset, null, pairs == null ? 256 : pairs,
                    recall == null ? "memory" : recall, null);
            // global stays implicit: specs stored before the option existed keep their hash
            default -> GLOBAL.equals(normalize) ? new DatasetSpec(name, trainSubset, testSubset, path, pairs, recall,
                    null) : this;
        };
    }
}
