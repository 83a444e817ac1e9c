package dev.sparselab.core.data;

import java.util.SplittableRandom;

/** Seeded Fisher-Yates permutations. */
public final class Shuffle {
    private Shuffle() {
    }

    /** 0..n-1 in an order that depends only on the generator's state. */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
