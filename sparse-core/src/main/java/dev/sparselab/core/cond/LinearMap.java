package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.FactorizationSpec;
import java.util.SplittableRandom;

/**
 * A fully connected layer x W + b, W [in, out], dense or factorized (METHODS.md section 10): {@code lowrank}
 * W = U V (rank r); {@code sparse-plus-lowrank} W = U V + S, S non-zero only on a fixed random support of
 * round(density * in * out) entries (SLTrain); {@code monarch} W = P L P R with R and L block-diagonal
 * (b blocks) and P the transpose permutation of a [b, m/b] grid (Dao et al.). Initialized so that the product
 * has about the variance of a dense layer's U(-1/sqrt(in), 1/sqrt(in)).
 */
abstract class LinearMap {
    protected final Weights w;
    protected final String p;

    LinearMap(String prefix, Weights w) {
        this.p = prefix;
        this.w = w;
    }

    abstract NDArray forward(NDArray x, Step step);

    /**
     * The bound a of U(-a, a) for both factors of an effective weight W_ij that is a sum of {@code paths} products
     * (on average over the input-output pairs), such that W_ij has the dense layer's variance 1/(3 in):
     * paths * (a^2/3)^2 = 1/(3 in).
     */
    static double productBound(long in, double paths) {
        return Math.sqrt(3 * Math.sqrt(1.0 / (3.0 * in * paths)));
    }

    static LinearMap create(String prefix, int in, int out, FactorizationSpec f, Weights w, long seed) {
        if (f == null || FactorizationSpec.DENSE.equals(f.kind())) {
            return new Dense(prefix, in, out, w);
        }
        return switch (f.kind()) {
            case FactorizationSpec.LOWRANK -> new LowRank(prefix, in, out, f.rank(), null, w, seed);
            case FactorizationSpec.SPARSE_PLUS_LOWRANK -> new LowRank(prefix, in, out, f.rank(), f, w, seed);
            case FactorizationSpec.MONARCH -> new Monarch(prefix, in, out, f.blocks(), w);
            default -> throw new IllegalArgumentException("unknown factorization '" + f.kind() + "'");
        };
    }

    static final class Dense extends LinearMap {
        Dense(String prefix, int in, int out, Weights w) {
            super(prefix, w);
            w.uniform(p + ".weight", 1 / Math.sqrt(in), in, out);
            w.uniform(p + ".bias", 1 / Math.sqrt(in), out);
        }

        @Override
        NDArray forward(NDArray x, Step step) {
            return Ops.linear(x, w.get(p + ".weight"), w.get(p + ".bias"));
        }
    }

    /** U V (+ S on a fixed support): the support is drawn from the seed and stored as a buffer. */
    static final class LowRank extends LinearMap {
        private final int in;
        private final int out;
        private final boolean sparse;

        LowRank(String prefix, int in, int out, int rank, FactorizationSpec f, Weights w, long seed) {
            super(prefix, w);
            this.in = in;
            this.out = out;
            this.sparse = f != null;
            double bound = productBound(in, rank);
            w.uniform(p + ".u", bound, in, rank);
            w.uniform(p + ".v", bound, rank, out);
            w.uniform(p + ".bias", 1 / Math.sqrt(in), out);
            if (sparse) {
                int nnz = (int) ConditionalSize.sparseSupport(f, in, out);
                int[] support = distinct(in * out, nnz, new SplittableRandom(seed ^ 0x51A7L));
                java.util.Arrays.sort(support);
                float[] stored = new float[nnz];
                for (int i = 0; i < nnz; i++) {
                    stored[i] = support[i];
                }
                w.buffer(p + ".support", stored);
                w.uniform(p + ".s", 1 / Math.sqrt(in), nnz);
            }
        }

        @Override
        NDArray forward(NDArray x, Step step) {
            NDArray y = x.matMul(w.get(p + ".u")).matMul(w.get(p + ".v"));
            if (sparse) {
                // S as a dense [in, out] gathered from its values (and one zero for positions off the support)
                long[] where = positions();
                NDArray values = Ops.scratch(w.get(p + ".s").concat(step.manager.zeros(
                        new ai.djl.ndarray.types.Shape(1))), step);
                NDArray s = values.gather(Ops.longs(step.manager, where, where.length), 0).reshape(in, out);
                y = y.add(x.matMul(s));
            }
            return y.add(w.get(p + ".bias"));
        }

        private float[] indexedSupport;
        private long[] positions;

        /**
         * For every entry of W, its index among S's values (or the zero slot after them); built once per support
         * (a stored model's support replaces the drawn one), not every step.
         */
        private long[] positions() {
            float[] support = w.buffer(p + ".support");
            if (support != indexedSupport) {
                long[] where = new long[in * out];
                java.util.Arrays.fill(where, support.length);
                for (int i = 0; i < support.length; i++) {
                    where[(int) support[i]] = i;
                }
                positions = where;
                indexedSupport = support;
            }
            return positions;
        }

        static int[] distinct(int n, int count, SplittableRandom rng) {
            java.util.BitSet taken = new java.util.BitSet(n);
            int[] out = new int[count];
            // Floyd's algorithm: count distinct values without materializing [0, n)
            int k = 0;
            for (int j = n - count; j < n; j++) {
                int t = rng.nextInt(j + 1);
                int pick = taken.get(t) ? j : t;
                taken.set(pick);
                out[k++] = pick;
            }
            return out;
        }
    }

    /**
     * x (padded to b * ceil(in/b)) -> R: b blocks [in/b, m/b] -> transpose of the [b, m/b] grid -> L: b blocks
     * [m/b, out/b] -> the first {@code out} columns.
     */
    static final class Monarch extends LinearMap {
        private final int in;
        private final int out;
        private final int b;
        private final long inBlock;
        private final long mid;
        private final long outBlock;

        Monarch(String prefix, int in, int out, int blocks, Weights w) {
            super(prefix, w);
            this.in = in;
            this.out = out;
            this.b = blocks;
            this.inBlock = ConditionalSize.ceilDiv(in, blocks);
            this.mid = ConditionalSize.middle(blocks, in, out);
            this.outBlock = ConditionalSize.ceilDiv(out, blocks);
            // each output sums inBlock * (mid/b) products of an R and an L entry over its in inputs: on average
            // inBlock * (mid/b) / in paths per input-output pair (it used the products per output, which made the
            // effective weights' variance about 1/in of a dense layer's)
            double bound = productBound(in, (double) inBlock * (mid / blocks) / in);
            w.uniform(p + ".r", bound, blocks, inBlock, mid / blocks);
            w.uniform(p + ".l", bound, blocks, mid / blocks, outBlock);
            w.uniform(p + ".bias", 1 / Math.sqrt(in), out);
        }

        @Override
        NDArray forward(NDArray x, Step step) {
            long n = x.getShape().get(0);
            NDArray h = x;
            if (inBlock * b > in) {
                h = h.concat(step.manager.zeros(new ai.djl.ndarray.types.Shape(n, inBlock * b - in)), 1);
            }
            // [n, b, inBlock] -> per block [b, n, inBlock] x [b, inBlock, mid/b]
            NDArray r = h.reshape(n, b, inBlock).transpose(1, 0, 2).batchMatMul(w.get(p + ".r")); // [b, n, mid/b]
            // the Monarch permutation: the [b, mid/b] grid of each row read column-wise
            NDArray permuted = r.transpose(1, 2, 0).reshape(n, mid).reshape(n, b, mid / b).transpose(1, 0, 2);
            NDArray y = permuted.batchMatMul(w.get(p + ".l")).transpose(1, 0, 2).reshape(n, (long) b * outBlock);
            if (b * outBlock > out) {
                y = y.get(":, :" + out);
            }
            return y.add(w.get(p + ".bias"));
        }
    }
}
