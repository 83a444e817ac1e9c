package dev.sparselab.contracts.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameter counts of the conditional-computation models, from the spec alone: in total, and active per token
 * (or per example for an mlp): what one token's forward pass reads. The trainer's models are checked against
 * these counts, and the evaluator reports them.
 */
public final class ConditionalSize {
    private ConditionalSize() {
    }

    /** Total and active parameters. */
    public record Count(long total, long active) {
        Count plus(Count o) {
            return new Count(total + o.total, active + o.active);
        }

        static Count all(long n) {
            return new Count(n, n);
        }
    }

    /** Tokens in the vocabulary of a token dataset: bytes for char-lm, keys and values for associative-recall. */
    public static int vocabulary(DatasetSpec d) {
        return switch (d.name()) {
            case DatasetSpec.CHAR_LM -> 256;
            case DatasetSpec.ASSOCIATIVE_RECALL -> recallKeys(d) + RECALL_VALUES;
            default -> throw new IllegalArgumentException(d.name() + " is not token data");
        };
    }

    /** Value tokens of associative-recall. */
    public static final int RECALL_VALUES = 32;

    /** Key tokens of associative-recall: two-token keys in memory mode, one-token keys in context mode. */
    public static int recallKeys(DatasetSpec d) {
        int pairs = d.pairs() == null ? 256 : d.pairs();
        return "context".equals(d.recall()) ? Math.max(32, 2 * pairs)
                : Math.max(2, (int) Math.ceil(Math.sqrt(2.0 * pairs)));
    }

    /** Counts of a transformer (vocabulary from its dataset). */
    public static Count transformer(ModelSpec m, int vocabulary) {
        long d = m.width();
        Count c = Count.all(vocabulary * d + m.context() * d);
        for (int l = 0; l < m.depth(); l++) {
            c = c.plus(Count.all(2 * d + 3 * d * d + 3 * d + d * d + d + 2 * d)).plus(ffn(m.ffn(), (int) d));
        }
        return c.plus(Count.all(2 * d + d * vocabulary + vocabulary));
    }

    /** Counts of an mlp with conditional blocks and/or factorized hidden layers. */
    public static Count mlp(ModelSpec m, int features, int classes) {
        Count c = new Count(0, 0);
        long in = features;
        List<Integer> hidden = m.hidden() == null ? List.of() : m.hidden();
        for (int i = 0; i < hidden.size(); i++) {
            long out = hidden.get(i);
            c = c.plus(Count.all(linear(m.factorization(), in, out, i > 0) + out));
            if (m.ffn() != null) {
                c = c.plus(ffn(m.ffn(), (int) out));
            }
            in = out;
        }
        return c.plus(Count.all(in * classes + classes));
    }

    /**
     * Counts of an mlp trained layer-locally: its hidden layers (no output layer); mono-forward adds each
     * layer's projection to the classes.
     */
    public static Count local(ModelSpec m, TrainingSpec t, int features, int classes) {
        long total = 0;
        long in = features;
        for (int units : m.hidden()) {
            total += in * units + units;
            if (TrainingSpec.MONO_FORWARD.equals(t.algorithm())) {
                total += (long) units * classes + classes;
            }
            in = units;
        }
        return Count.all(total);
    }

    /** Weights of an in x out linear map under a factorization (the first layer of an mlp stays dense). */
    static long linear(FactorizationSpec f, long in, long out, boolean factorized) {
        if (f == null || !factorized || FactorizationSpec.DENSE.equals(f.kind())) {
            return in * out;
        }
        return switch (f.kind()) {
            case FactorizationSpec.LOWRANK -> (in + out) * f.rank();
            case FactorizationSpec.SPARSE_PLUS_LOWRANK -> (in + out) * f.rank() + sparseSupport(f, in, out);
            case FactorizationSpec.MONARCH -> monarch(f.blocks(), in, out);
            default -> throw new IllegalArgumentException("unknown factorization " + f.kind());
        };
    }

    /** Entries of the fixed sparse support of sparse-plus-lowrank: round(density x in x out), at least 1. */
    public static long sparseSupport(FactorizationSpec f, long in, long out) {
        return Math.max(1, Math.round(f.density() * in * out));
    }

    /**
     * Weights of a Monarch map in -> out with b blocks: R is block-diagonal (b blocks of in/b x m/b) into the
     * middle width m = max(in, out) rounded up to a multiple of b, L block-diagonal (b blocks of m/b x out/b).
     */
    public static long monarch(int b, long in, long out) {
        long mid = middle(b, in, out);
        return ceilDiv(in, b) * (mid / b) * b + (mid / b) * ceilDiv(out, b) * b;
    }

    public static long middle(int b, long in, long out) {
        return ceilDiv(Math.max(in, out), b) * b;
    }

    public static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Counts of one feed-forward block of width d. */
    public static Count ffn(FfnSpec f, int d) {
        long expert = f.hidden() == null ? 0 : 2L * d * f.hidden() + f.hidden() + d;
        return switch (f.kind()) {
            case FfnSpec.DENSE -> Count.all(expert);
            case FfnSpec.MOE -> {
                // noisy top-k gating's noise projection is trained but never run at inference: not active
                long router = (long) d * f.experts();
                long noise = Boolean.TRUE.equals(f.noise()) ? router : 0;
                yield new Count(router + noise + f.experts() * expert, router + (long) f.k() * expert);
            }
            case FfnSpec.SWITCH, FfnSpec.BASE -> new Count((long) d * f.experts() + f.experts() * expert,
                    (long) d * f.experts() + expert);
            case FfnSpec.HASH -> new Count(f.experts() * expert, expert);
            case FfnSpec.PKM, FfnSpec.PEER -> {
                // the query projection, and its batch normalization's gain and bias
                long query = (long) d * f.heads() * f.keyDim() + (long) f.heads() * f.keyDim()
                        * (Boolean.FALSE.equals(f.queryBatchNorm()) ? 1 : 3);
                long subKeys = (long) f.heads() * 2 * f.keys() * (f.keyDim() / 2);
                long memories = (long) f.keys() * f.keys();
                long perMemory = FfnSpec.PEER.equals(f.kind()) ? 2L * d : d;
                yield new Count(query + subKeys + memories * perMemory,
                        query + subKeys + (long) f.heads() * f.k() * perMemory);
            }
            case FfnSpec.FFF -> {
                long nodes = (1L << f.depth()) - 1;
                yield new Count(nodes * (d + 1) + (1L << f.depth()) * expert, f.depth() * (d + 1L) + expert);
            }
            default -> throw new IllegalArgumentException("unknown ffn kind " + f.kind());
        };
    }

    /** Checks the schema cannot express; each error names its field. */
    public static List<FieldError> check(ExperimentSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        ModelSpec m = spec.model();
        if (ModelSpec.TRANSFORMER.equals(m.type())) {
            if (m.width() % m.heads() != 0) {
                errors.add(new FieldError("/model/width", "width " + m.width()
                        + " is not a multiple of heads (" + m.heads() + ")"));
            }
            AttentionSpec a = m.attention();
            if (a.window() != null && a.window() > m.context()) {
                errors.add(new FieldError("/model/attention/window", "window " + a.window()
                        + " is longer than the context (" + m.context() + ")"));
            }
            if (a.blockSize() != null && a.blockSize() > m.context()) {
                errors.add(new FieldError("/model/attention/blockSize", "blockSize " + a.blockSize()
                        + " is longer than the context (" + m.context() + ")"));
            }
            DatasetSpec d = spec.dataset();
            if ("context".equals(d.recall()) && 4L * d.pairs() > m.context() + 1) {
                errors.add(new FieldError("/dataset/pairs", "a context-recall sequence of " + d.pairs()
                        + " pairs has " + 4 * d.pairs() + " tokens; the model's context (" + m.context()
                        + ") must be at least " + (4 * d.pairs() - 1)));
            }
        }
        FfnSpec f = m.ffn();
        if (f != null) {
            if (f.productKeys() && f.keyDim() % 2 != 0) {
                errors.add(new FieldError("/model/ffn/keyDim", "keyDim " + f.keyDim()
                        + " must be even (it is split into two halves)"));
            }
            if (f.productKeys() && f.k() > f.keys()) {
                errors.add(new FieldError("/model/ffn/k", "k " + f.k() + " is more than keys ("
                        + f.keys() + ")"));
            }
            if (FfnSpec.MOE.equals(f.kind()) && f.k() > f.experts()) {
                errors.add(new FieldError("/model/ffn/k", "k " + f.k() + " is more than experts ("
                        + f.experts() + ")"));
            }
        }
        return errors;
    }
}
