package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import dev.sparselab.contracts.spec.FfnSpec;

/** A feed-forward block over rows of width d (tokens, or examples of an mlp); METHODS.md section 7. */
public abstract class Ffn {
    /** The block's output for x [n, d]; {@code tokens} are the input token ids (hash routing), or null. */
    abstract NDArray forward(NDArray x, int[] tokens, Step step);

    /**
     * The block's output for x [n, d] (the normalized input in a transformer), with the residual stream it is
     * added to ({@code residual}, [n, d]) for blocks that route on it (BASE, as fairseq's BaseLayer does).
     */
    NDArray forward(NDArray x, NDArray residual, int[] tokens, Step step) {
        return forward(x, tokens, step);
    }

    /** Routing statistics, or null for a dense block. */
    LayerStats stats() {
        return null;
    }

    /**
     * Builds a block; its parameters are named {@code prefix.*}.
     *
     * @param frequencies training-token frequencies (hash routing's balanced table), or null
     */
    static Ffn create(FfnSpec spec, String prefix, int width, Weights w, long[] frequencies, long seed) {
        return switch (spec.kind()) {
            case FfnSpec.DENSE -> new DenseFfn(prefix, width, spec.hidden(), w);
            case FfnSpec.MOE, FfnSpec.SWITCH, FfnSpec.HASH, FfnSpec.BASE ->
                    new RoutedFfn(spec, prefix, width, w, frequencies, seed);
            case FfnSpec.PKM, FfnSpec.PEER -> new MemoryFfn(spec, prefix, width, w);
            case FfnSpec.FFF -> new FastFfn(spec, prefix, width, w);
            default -> throw new IllegalArgumentException("unknown ffn kind '" + spec.kind() + "'");
        };
    }

    /** gelu(x W1 + b1) W2 + b2. */
    static final class DenseFfn extends Ffn {
        private final Weights w;
        private final String p;

        DenseFfn(String prefix, int d, int hidden, Weights w) {
            this.w = w;
            this.p = prefix;
            w.uniform(p + ".w1", 1 / Math.sqrt(d), d, hidden);
            w.uniform(p + ".b1", 1 / Math.sqrt(d), hidden);
            w.uniform(p + ".w2", 1 / Math.sqrt(hidden), hidden, d);
            w.uniform(p + ".b2", 1 / Math.sqrt(hidden), d);
        }

        @Override
        NDArray forward(NDArray x, int[] tokens, Step step) {
            return Ops.linear(Ops.gelu(Ops.linear(x, w.get(p + ".w1"), w.get(p + ".b1"))), w.get(p + ".w2"),
                    w.get(p + ".b2"));
        }
    }
}
