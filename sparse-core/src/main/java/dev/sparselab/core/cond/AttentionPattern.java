package dev.sparselab.core.cond;

import dev.sparselab.contracts.spec.AttentionSpec;
import java.util.SplittableRandom;

/**
 * Which keys each query may attend to, for a causal pattern over {@code length} positions
 * ({@link AttentionSpec}), as a boolean mask and as a padded index table for gathering keys. Density is the
 * fraction of the causal (query, key) pairs (length (length + 1) / 2) that are attended.
 */
public final class AttentionPattern {
    private final boolean[][] allowed;
    private final int[] index;
    private final boolean[] valid;
    private final int width;
    private final long pairs;

    private AttentionPattern(boolean[][] allowed) {
        this.allowed = allowed;
        int n = allowed.length;
        int w = 1;
        long p = 0;
        for (boolean[] row : allowed) {
            int c = 0;
            for (boolean b : row) {
                c += b ? 1 : 0;
            }
            w = Math.max(w, c);
            p += c;
        }
        this.width = w;
        this.pairs = p;
        this.index = new int[n * w];
        this.valid = new boolean[n * w];
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (int j = 0; j <= i; j++) {
                if (allowed[i][j]) {
                    index[i * w + c] = j;
                    valid[i * w + c] = true;
                    c++;
                }
            }
            for (; c < w; c++) {
                index[i * w + c] = i; // padding points at the query itself and is masked out
            }
        }
    }

    /** The mask of a pattern; bigbird's random blocks are drawn from {@code seed}. topk is dense here. */
    public static AttentionPattern of(AttentionSpec spec, int length, long seed) {
        boolean[][] a = new boolean[length][length];
        switch (spec.pattern()) {
            case "window" -> {
                for (int i = 0; i < length; i++) {
                    for (int j = Math.max(0, i - spec.window() + 1); j <= i; j++) {
                        a[i][j] = true;
                    }
                }
            }
            case "strided" -> {
                int s = spec.stride();
                for (int i = 0; i < length; i++) {
                    for (int j = 0; j <= i; j++) {
                        a[i][j] = i - j < s || (i - j) % s == 0;
                    }
                }
            }
            case "bigbird" -> {
                int b = spec.blockSize();
                int g = spec.globalTokens();
                int blocks = (length + b - 1) / b;
                SplittableRandom rng = new SplittableRandom(seed ^ 0xB16B1DL);
                boolean[][] randomBlock = new boolean[blocks][blocks];
                for (int qb = 0; qb < blocks; qb++) {
                    // random blocks among the earlier ones that the window does not already cover
                    int candidates = Math.max(0, qb - 1);
                    int[] pick = candidates == 0 ? new int[0]
                            : rng.ints(0, candidates).distinct().limit(Math.min(spec.randomBlocks(), candidates))
                            .toArray();
                    for (int kb : pick) {
                        randomBlock[qb][kb] = true;
                    }
                }
                for (int i = 0; i < length; i++) {
                    for (int j = 0; j <= i; j++) {
                        int qb = i / b;
                        int kb = j / b;
                        a[i][j] = j < g || i < g || kb == qb || kb == qb - 1 || randomBlock[qb][kb];
                    }
                }
            }
            case "dense", "topk" -> {
                for (int i = 0; i < length; i++) {
                    for (int j = 0; j <= i; j++) {
                        a[i][j] = true;
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown attention pattern '" + spec.pattern() + "'");
        }
        return new AttentionPattern(a);
    }

    public boolean allowed(int query, int key) {
        return allowed[query][key];
    }

    public int length() {
        return allowed.length;
    }

    /** Keys gathered per query: the most any query attends to. */
    public int width() {
        return width;
    }

    /** Row-major [length x width]: the keys of each query, padded. */
    public int[] index() {
        return index;
    }

    public boolean[] valid() {
        return valid;
    }

    /** Attended (query, key) pairs. */
    public long pairs() {
        return pairs;
    }

    /** Causal (query, key) pairs: what dense causal attention computes. */
    public static long causalPairs(int length) {
        return (long) length * (length + 1) / 2;
    }

    public double density() {
        return (double) pairs / causalPairs(allowed.length);
    }

    /** Density of topk attention: each query keeps min(k, i + 1) keys. */
    public static double topkDensity(int length, int k) {
        long kept = 0;
        for (int i = 0; i < length; i++) {
            kept += Math.min(k, i + 1);
        }
        return (double) kept / causalPairs(length);
    }
}
