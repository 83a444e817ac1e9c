package dev.sparselab.core.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mask construction. A mask is a float array of 0s and 1s with the layout of the weight it masks.
 * Every function here hits the requested number of zeros exactly: {@code round(sparsity * n)}.
 */
public final class Masks {
    private Masks() {
    }

    /** The number of weights to zero in a layer of {@code n} weights at the given sparsity. */
    public static int zerosFor(int n, double sparsity) {
        return (int) Math.round(sparsity * n);
    }

    /** A uniformly random mask with exactly {@code zerosFor(n, sparsity)} zeros. */
    public static float[] random(int n, double sparsity, SplittableRandom rng) {
        int zeros = zerosFor(n, sparsity);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        float[] mask = new float[n];
        Arrays.fill(mask, 1f);
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
     * Keeps the largest |w|: exactly {@code zerosFor(n, sparsity)} of the smallest magnitudes are pruned;
     * among weights tied at the threshold, the lowest indices are pruned first.
     */
    public static float[] magnitude(float[] weights, double sparsity) {
        int n = weights.length;
        int zeros = zerosFor(n, sparsity);
        float[] mask = new float[n];
        Arrays.fill(mask, 1f);
        if (zeros == 0) {
            return mask;
        }
        float[] abs = new float[n];
        for (int i = 0; i < n; i++) {
            abs[i] = Math.abs(weights[i]);
        }
        float[] sorted = abs.clone();
        Arrays.sort(sorted);
        float threshold = sorted[zeros - 1];
        int pruned = 0;
        for (int i = 0; i < n; i++) {
            if (abs[i] < threshold) {
                mask[i] = 0f;
                pruned++;
            }
        }
        for (int i = 0; i < n && pruned < zeros; i++) {
            if (abs[i] == threshold) {
                mask[i] = 0f;
                pruned++;
            }
        }
        return mask;
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
}
