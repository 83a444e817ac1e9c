package dev.sparselab.core.sparsity;

import java.util.SplittableRandom;

/**
 * Counter-based randomness for a run: every random draw of training is taken from a stream that is a
 * pure function of the run's seed, a purpose and a counter (a step or an epoch). The "RNG state" of a
 * run is therefore its seed and step counter, so a run resumed from a checkpoint at any step draws
 * exactly what the uninterrupted run would have drawn (the approach of counter-based generators such as
 * Philox, here with SplitMix64 seeded through a 64-bit finalizer).
 */
public final class StepRandom {
    private final long seed;
    private final long purpose;

    private StepRandom(long seed, long purpose) {
        this.seed = seed;
        this.purpose = purpose;
    }

    /** The streams of a run with this seed for one purpose ("method", "shuffle", "dropout", ...). */
    public static StepRandom of(long seed, String purpose) {
        return new StepRandom(seed, mix(purpose.hashCode() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
    }

    /** A fresh generator for counter {@code index}; the same (seed, purpose, index) always gives the same draws. */
    public SplittableRandom at(long index) {
        return new SplittableRandom(seedAt(index));
    }

    /** A 64-bit seed for counter {@code index} (e.g. for the engine's generator). */
    public long seedAt(long index) {
        return mix(mix(seed ^ purpose) + index * 0xBF58476D1CE4E5B9L);
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer (as SplitMix64 uses). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
