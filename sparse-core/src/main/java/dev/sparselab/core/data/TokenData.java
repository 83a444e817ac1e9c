package dev.sparselab.core.data;

/**
 * A split of token sequences for a language model: {@code size} sequences of {@code length} input tokens,
 * each position's next-token target, and the weight of each position in the loss and the metrics
 * (1 where a prediction is scored: every position of char-lm, the answers of associative-recall).
 * Arrays are row-major ({@code size x length}) and owned by the split.
 *
 * @param frequencies how often each token occurs among the inputs (for frequency-balanced hash routing)
 * @param hash        sha256 over the source (text file, or generator and seed), for provenance
 */
public record TokenData(String name, int[] inputs, int[] targets, float[] weights, int length, int vocabulary,
                        long[] frequencies, String hash) implements TrainingData {
    public TokenData {
        if (inputs.length % length != 0 || targets.length != inputs.length || weights.length != inputs.length) {
            throw new IllegalArgumentException("inputs, targets and weights must be size x length");
        }
    }

    @Override
    public int size() {
        return inputs.length / length;
    }

    /** Scored positions. */
    public long scored() {
        long n = 0;
        for (float w : weights) {
            n += w > 0 ? 1 : 0;
        }
        return n;
    }

    static long[] count(int[] inputs, int vocabulary) {
        long[] f = new long[vocabulary];
        for (int t : inputs) {
            f[t]++;
        }
        return f;
    }

    /** The sequences at the given indices, in that order. */
    public TokenData subset(int[] picked, String suffix) {
        int[] in = new int[picked.length * length];
        int[] tg = new int[in.length];
        float[] w = new float[in.length];
        for (int i = 0; i < picked.length; i++) {
            System.arraycopy(inputs, picked[i] * length, in, i * length, length);
            System.arraycopy(targets, picked[i] * length, tg, i * length, length);
            System.arraycopy(weights, picked[i] * length, w, i * length, length);
        }
        return new TokenData(name + suffix, in, tg, w, length, vocabulary, count(in, vocabulary), hash);
    }
}
