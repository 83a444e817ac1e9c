package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One forward pass: its scratch manager, whether it trains (noise, soft routing, balanced assignment),
 * whether to compute densely (every expert for every token, every causal query-key pair: the reference the
 * sparse paths are checked and timed against), a seeded RNG, and the auxiliary losses the blocks add.
 */
public final class Step {
    final NDManager manager;
    final boolean training;
    final boolean dense;
    final SplittableRandom rng;
    final List<NDArray> auxLosses = new ArrayList<>();
    final boolean record;

    public Step(NDManager manager, boolean training, boolean dense, long seed, boolean record) {
        this.manager = manager;
        this.training = training;
        this.dense = dense;
        this.rng = new SplittableRandom(seed);
        this.record = record;
    }

    /** The sum of the auxiliary losses, or null without any. */
    public NDArray auxLoss() {
        NDArray sum = null;
        for (NDArray a : auxLosses) {
            sum = sum == null ? a : sum.add(a);
        }
        return sum;
    }
}
