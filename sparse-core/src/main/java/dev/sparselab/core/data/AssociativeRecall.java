package dev.sparselab.core.data;

import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.DatasetSpec;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeded key-to-value recall; the number of pairs sets how much the model must hold.
 * <ul>
 *   <li>{@code memory}: a fixed table (drawn from the seed) of {@code pairs} distinct two-token keys
 *       (a, b) over an alphabet of {@link ConditionalSize#recallKeys} tokens, each with one of 32 values.
 *       Sequences are triples a b v drawn from the table; the value after every key is scored. The table is
 *       the same in training and test, so this measures what the weights store (memory layers, experts).
 *   <li>{@code context}: each sequence lists {@code pairs} fresh pairs k v (distinct keys), then queries
 *       its keys in a random order (k v again, repeated until the context is full); the values of the
 *       queries are scored. This measures recall through attention.
 * </ul>
 * Token ids: keys first, then the 32 values.
 */
public final class AssociativeRecall {
    private AssociativeRecall() {
    }

    public static TokenData generate(DatasetSpec spec, int length, long seed, boolean train) {
        int keys = ConditionalSize.recallKeys(spec);
        int vocabulary = ConditionalSize.vocabulary(spec);
        int pairs = spec.pairs();
        boolean memory = !"context".equals(spec.recall());
        int sequences = train ? spec.trainSubset() : spec.testSubset();
        SplittableRandom tableRng = new SplittableRandom(seed ^ 0xA55CL);
        int[][] table = memory ? table(keys, pairs, tableRng) : null;
        SplittableRandom rng = new SplittableRandom(seed ^ (train ? 0x7A1L : 0x7E57L));
        int[] inputs = new int[sequences * length];
        int[] targets = new int[inputs.length];
        float[] weights = new float[inputs.length];
        int[] seq = new int[length + 1];
        boolean[] scored = new boolean[length + 1];
        for (int s = 0; s < sequences; s++) {
            java.util.Arrays.fill(scored, false);
            if (memory) {
                for (int i = 0; i < seq.length; i += 3) {
                    int[] row = table[rng.nextInt(pairs)];
                    for (int j = 0; j < 3 && i + j < seq.length; j++) {
                        seq[i + j] = row[j];
                    }
                    if (i + 2 < seq.length) {
                        scored[i + 2] = true;
                    }
                }
            } else {
                int[] k = distinct(keys, pairs, rng);
                int[] v = new int[pairs];
                for (int i = 0; i < pairs; i++) {
                    v[i] = keys + rng.nextInt(ConditionalSize.RECALL_VALUES);
                    seq[2 * i] = k[i];
                    seq[2 * i + 1] = v[i];
                }
                int at = 2 * pairs;
                int[] order = distinct(pairs, pairs, rng);
                for (int q = 0; at + 1 < seq.length; q++, at += 2) {
                    int which = q < pairs ? order[q] : rng.nextInt(pairs);
                    seq[at] = k[which];
                    seq[at + 1] = v[which];
                    scored[at + 1] = true;
                }
                if (at < seq.length) {
                    seq[at] = k[rng.nextInt(pairs)];
                }
            }
            for (int i = 0; i < length; i++) {
                inputs[s * length + i] = seq[i];
                targets[s * length + i] = seq[i + 1];
                weights[s * length + i] = scored[i + 1] ? 1f : 0f;
            }
        }
        String hash = dev.sparselab.contracts.artifact.ModelArtifact.sha256(("associative-recall/" + spec.recall() + "/"
                + pairs + "/" + seed).getBytes(StandardCharsets.UTF_8));
        return new TokenData("associative-recall/" + spec.recall() + "/" + pairs + "/" + (train ? "train" : "test"),
                inputs, targets, weights, length, vocabulary, TokenData.count(inputs, vocabulary), hash);
    }

    /** {@code pairs} rows (a, b, value) with distinct keys (a, b). */
    static int[][] table(int keys, int pairs, SplittableRandom rng) {
        int[] chosen = distinct(keys * keys, pairs, rng);
        int[][] t = new int[pairs][];
        for (int i = 0; i < pairs; i++) {
            t[i] = new int[]{chosen[i] / keys, chosen[i] % keys, keys + rng.nextInt(ConditionalSize.RECALL_VALUES)};
        }
        return t;
    }

    /** {@code count} distinct ints from [0, n), in random order. */
    static int[] distinct(int n, int count, SplittableRandom rng) {
        java.util.Set<Integer> seen = new java.util.LinkedHashSet<>();
        if (count * 2 > n) {
            return java.util.Arrays.copyOf(Shuffle.permutation(n, rng), count);
        }
        while (seen.size() < count) {
            seen.add(rng.nextInt(n));
        }
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }
}
