package dev.sparselab.core.sparsity;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mask construction. A mask is a float array of 0s and 1s with the layout of the weight it masks.
 * Every function here hits the requested number of zeros exactly.
 */
public final class Masks {
    private Masks() {
    }

    /** The number of weights to zero in a layer of {@code n} weights at the given sparsity. */
    public static int zerosFor(int n, double sparsity) {
        return (int) Math.round(sparsity * n);
    }

    public static float[] ones(int n) {
        float[] m = new float[n];
        Arrays.fill(m, 1f);
        return m;
    }

    /** A uniformly random mask with exactly {@code zeros} zeros. */
    public static float[] random(int n, int zeros, SplittableRandom rng) {
        int[] idx = identity(n);
        float[] mask = ones(n);
        // partial Fisher-Yates: the first `zeros` positions of the shuffle are pruned
        for (int i = 0; i < zeros; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            mask[idx[i]] = 0f;
        }
        return mask;
    }

    /**
     * Keeps the largest scores: exactly {@code zeros} of the smallest are pruned; among scores tied at the
     * threshold, the lowest indices are pruned first.
     */
    public static float[] keepLargest(float[] scores, int zeros) {
        int n = scores.length;
        float[] mask = ones(n);
        if (zeros <= 0) {
            return mask;
        }
        if (zeros >= n) {
            return new float[n];
        }
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        float threshold = sorted[zeros - 1];
        int pruned = 0;
        for (int i = 0; i < n; i++) {
            if (scores[i] < threshold) {
                mask[i] = 0f;
                pruned++;
            }
        }
        for (int i = 0; i < n && pruned < zeros; i++) {
            if (scores[i] == threshold) {
                mask[i] = 0f;
                pruned++;
            }
        }
        return mask;
    }

    /** |w|, with weights already masked out scored -1 so that they are always pruned first. */
    public static float[] magnitudeScores(float[] weights, float[] mask) {
        float[] s = new float[weights.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = mask != null && mask[i] == 0f ? -1f : Math.abs(weights[i]);
        }
        return s;
    }

    /**
     * One global threshold over several layers: prunes exactly {@code zeros} of the smallest scores over
     * all of them together (ties: earlier layers, then lower indices, first).
     */
    public static void keepLargestGlobally(Map<String, float[]> scores, long zeros, Map<String, float[]> out) {
        int total = scores.values().stream().mapToInt(a -> a.length).sum();
        float[] all = new float[total];
        int k = 0;
        for (float[] s : scores.values()) {
            System.arraycopy(s, 0, all, k, s.length);
            k += s.length;
        }
        float[] mask = keepLargest(all, (int) zeros);
        k = 0;
        for (Map.Entry<String, float[]> e : scores.entrySet()) {
            out.put(e.getKey(), Arrays.copyOfRange(mask, k, k + e.getValue().length));
            k += e.getValue().length;
        }
    }

    public static int countZeros(float[] values) {
        int z = 0;
        for (float v : values) {
            if (v == 0f) {
                z++;
            }
        }
        return z;
    }

    /** {@link #countZeros}, remembered per key until the caller invalidates it. */
    static int countZerosCached(String key, float[] mask, Map<String, Integer> cache) {
        return cache.computeIfAbsent(key, k -> countZeros(mask));
    }

    public static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Change between two masks of one layer: connections dropped, grown, and intersection over union. */
    public record Churn(int dropped, int grown, double iou) {
        public static Churn between(float[] before, float[] after) {
            int dropped = 0;
            int grown = 0;
            int both = 0;
            int either = 0;
            for (int i = 0; i < before.length; i++) {
                boolean b = before[i] != 0f;
                boolean a = after[i] != 0f;
                if (b && !a) {
                    dropped++;
                }
                if (!b && a) {
                    grown++;
                }
                if (a && b) {
                    both++;
                }
                if (a || b) {
                    either++;
                }
            }
            return new Churn(dropped, grown, either == 0 ? 1.0 : (double) both / either);
        }
    }

    /** Indices of the entries of {@code mask} equal to {@code value}. */
    public static int[] indicesOf(float[] mask, float value) {
        return java.util.stream.IntStream.range(0, mask.length).filter(i -> mask[i] == value).toArray();
    }

    static List<String> names(List<LayerShape> layers) {
        return layers.stream().map(LayerShape::name).toList();
    }
}
