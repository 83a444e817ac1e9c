package dev.sparselab.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.spec.OptimizerSpec;
import dev.sparselab.core.sparsity.Masks;
import dev.sparselab.core.sparsity.RigL;
import dev.sparselab.core.sparsity.SetMethod;
import dev.sparselab.core.sparsity.StructuredRigL;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sparse engine's changes of structure against the masked-dense engine's algorithms on dense arrays, case by case:
 * the same masks and weights from the same draws (ties included), and the optimizer state carried where a mask entry
 * did not change.
 */
class StructuresTest {
    private static final EngineOptimizer SGD = new EngineOptimizer(OptimizerSpec.DEFAULT, 100);

    /** A layer with a random mask and weights; a few weights are equal (ties) and one is zero. */
    private static SparseLayer layer(int out, int in, double sparsity, long seed, float[][] denseOut) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = out * in;
        float[] mask = Masks.random(n, (int) Math.round(sparsity * n), r);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = mask[i] == 0f ? 0f : (float) (r.nextDouble() * 2 - 1) * 0.1f;
        }
        int[] active = Masks.indicesOf(mask, 1f);
        w[active[0]] = 0f;
        w[active[1]] = w[active[2]] = 0.01f;
        w[active[3]] = w[active[4]] = -0.01f;
        denseOut[0] = w;
        denseOut[1] = mask;
        SparseLayer l = new SparseLayer("fc1", out, in, true, SparseMatrix.of(w, mask, out, in), new float[out], 1);
        for (int k = 0; k < l.nonZeros(); k++) {
            l.state[0][k] = k + 1; // a distinct state per entry, to follow where it goes
        }
        return l;
    }

    @Test
    void setEvolvesTheStructureAsTheDenseAlgorithm() {
        for (long seed = 1; seed <= 20; seed++) {
            float[][] dense = new float[2][];
            SparseLayer l = layer(37, 53, seed % 2 == 0 ? 0.9 : 0.5, seed, dense);
            long[] before = l.positions();
            float[] beforeState = l.state[0].clone();
            SetMethod.Regrow regrow = (count, r) -> {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) {
                    v[i] = (float) r.nextDouble();
                }
                return v;
            };
            float[] w = dense[0].clone();
            float[] expectedMask = SetMethod.evolve(w, dense[1], 0.3, regrow, new SplittableRandom(seed * 31));
            Structures.Next next = Structures.evolve(l, 0.3, regrow, new SplittableRandom(seed * 31));
            l.restructure(next.positions(), next.values(), next.from(), 5, SGD);
            assertThat(l.denseMask()).as("seed %d", seed).isEqualTo(expectedMask);
            for (int i = 0; i < w.length; i++) {
                w[i] *= expectedMask[i];
            }
            assertThat(l.denseWeights()).as("seed %d", seed).isEqualTo(w);
            assertStateFollowsUnchangedEntries(before, beforeState, l, dense[1], expectedMask);
        }
    }

    @Test
    void riglDropsAndGrowsAsTheDenseAlgorithmWithTheDenseGradientComputedHere() {
        int batch = 5;
        for (long seed = 1; seed <= 20; seed++) {
            float[][] dense = new float[2][];
            int out = 23;
            int in = 41;
            SparseLayer l = layer(out, in, 0.8, seed, dense);
            long[] before = l.positions();
            float[] beforeState = l.state[0].clone();
            SplittableRandom r = new SplittableRandom(seed + 100);
            float[] dzT = new float[out * batch];
            float[] hT = new float[in * batch];
            for (int i = 0; i < dzT.length; i++) {
                // odd seeds: one output row has a gradient, so most grown positions tie at |g| = 0
                dzT[i] = seed % 2 == 1 && i >= batch ? 0f : (float) r.nextGaussian();
            }
            for (int i = 0; i < hT.length; i++) {
                // a dead input feature (zero gradient column: ties among |g| = 0) and integer inputs (more ties)
                hT[i] = i / batch == 3 ? 0f : (float) Math.round(r.nextGaussian() * 2);
            }
            float[] g = denseGradient(dzT, hT, out, in, batch);
            int k = seed % 5 == 0 ? 0 : (int) (0.3 * l.nonZeros());
            float[] w = dense[0].clone();
            float[] expectedMask = RigL.dropAndGrow(w, g, dense[1], k, new SplittableRandom(seed));
            Structures.Next next = Structures.dropAndGrow(l, dzT, hT, batch, k, new SplittableRandom(seed));
            l.restructure(next.positions(), next.values(), next.from(), 5, SGD);
            assertThat(l.denseMask()).as("seed %d", seed).isEqualTo(expectedMask);
            assertThat(l.denseWeights()).as("seed %d", seed).isEqualTo(w);
            assertStateFollowsUnchangedEntries(before, beforeState, l, dense[1], expectedMask);
        }
    }

    /**
     * SRigL against {@code StructuredRigL.update}: the salient-count ablation (none for the output layer), the kept
     * weights, each live neuron cut and grown to the common fan-in, with ties in weights and gradients; a few seeds with
     * many zero weights (fewer non-zeros than the drop keeps) and a high gammaSal (so many neurons are ablated that the
     * live ones hold fewer entries than the drop keeps, and empty positions fill the count).
     */
    @Test
    void sriglAblatesDropsAndGrowsAsTheDenseAlgorithm() {
        int batch = 4;
        double[] gammas = {-1, 0.3, 0.9, 3.0};
        double[] alphas = {0.3, 0.05, 0.6};
        int ablatedSomewhere = 0;
        int filledFromEmpty = 0;
        for (long seed = 1; seed <= 36; seed++) {
            float[][] dense = new float[2][];
            int out = 29;
            int in = 37;
            SparseLayer l = layer(out, in, 0.75, seed, dense);
            if (seed % 6 == 0) { // many active weights exactly zero (grown connections not yet trained)
                for (int i = 0; i < dense[0].length; i += 3) {
                    dense[0][i] = 0f;
                }
                l = new SparseLayer("fc1", out, in, true, SparseMatrix.of(dense[0], dense[1], out, in), new float[out], 1);
                for (int k = 0; k < l.nonZeros(); k++) {
                    l.state[0][k] = k + 1;
                }
            }
            long[] before = l.positions();
            float[] beforeState = l.state[0].clone();
            SplittableRandom r = new SplittableRandom(seed + 500);
            float[] dzT = new float[out * batch];
            float[] hT = new float[in * batch];
            for (int i = 0; i < dzT.length; i++) {
                dzT[i] = seed % 4 == 1 && i >= 3 * batch ? 0f : (float) Math.round(r.nextGaussian() * 3);
            }
            for (int i = 0; i < hT.length; i++) {
                hT[i] = i / batch == 5 ? 0f : (float) Math.round(r.nextGaussian() * 2);
            }
            float[] g = denseGradient(dzT, hT, out, in, batch);
            int targetActive = (int) Math.round(0.25 * out * in);
            double gamma = gammas[(int) (seed % gammas.length)];
            double alpha = alphas[(int) (seed % alphas.length)];
            StructuredRigL.Update expected = StructuredRigL.update(dense[0], g, dense[1], out, in, targetActive, alpha,
                    gamma);
            Structures.Srigl next = Structures.srigl(l, dzT, hT, batch, targetActive, alpha, gamma);
            l.restructure(next.next().positions(), next.next().values(), next.next().from(), 5, SGD);
            assertThat(next.live()).as("seed %d", seed).isEqualTo(expected.live());
            assertThat(next.fanIn()).as("seed %d", seed).isEqualTo(expected.fanIn());
            assertThat(l.denseMask()).as("seed %d", seed).isEqualTo(expected.mask());
            assertThat(l.denseWeights()).as("seed %d", seed).isEqualTo(expected.weights());
            assertStateFollowsUnchangedEntries(before, beforeState, l, dense[1], expected.mask());
            if (Masks.countZeros(expected.live()) > 0) {
                ablatedSomewhere++;
            }
            int ones = before.length;
            int keepCount = Math.min(ones - (int) (ones * alpha), ones - Masks.countZeros(dense[0])
                    + Masks.countZeros(dense[1]));
            int liveEntries = 0;
            for (long p : before) {
                if (expected.live()[(int) (p / in)] != 0f) {
                    liveEntries++;
                }
            }
            if (liveEntries < keepCount) {
                filledFromEmpty++;
            }
        }
        assertThat(ablatedSomewhere).as("cases with ablated neurons").isGreaterThan(10);
        assertThat(filledFromEmpty).as("cases where empty positions fill the kept count").isGreaterThan(0);
    }

    /** The dense weight gradient dz · hᵀ, row-major [out, in], from feature-major [out, batch] and [in, batch]. */
    private static float[] denseGradient(float[] dzT, float[] hT, int out, int in, int batch) {
        float[] g = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                float s = 0f;
                for (int b = 0; b < batch; b++) {
                    s += dzT[o * batch + b] * hT[c * batch + b];
                }
                g[o * in + c] = s;
            }
        }
        return g;
    }

    /** An entry whose mask did not change keeps its state; a new one starts at zero. */
    private static void assertStateFollowsUnchangedEntries(long[] before, float[] beforeState, SparseLayer l,
                                                           float[] oldMask, float[] newMask) {
        long[] after = l.positions();
        for (int k = 0; k < after.length; k++) {
            int p = (int) after[k];
            float expected = oldMask[p] != 0f ? beforeState[Arrays.binarySearch(before, after[k])] : 0f;
            assertThat(l.state[0][k]).as("state at %d", p).isEqualTo(expected);
            assertThat(newMask[p]).isEqualTo(1f);
        }
    }

    @Test
    void emptyPositionsAreAddressedByRank() {
        float[][] dense = new float[2][];
        SparseLayer l = layer(19, 7, 0.6, 3, dense);
        int[] empty = Masks.indicesOf(dense[1], 0f);
        Structures.EmptyPositions e = new Structures.EmptyPositions(l);
        for (int x = 0; x < empty.length; x++) {
            assertThat(e.kth(x)).isEqualTo(empty[x]);
        }
    }

    @Test
    void sampledPositionsAreDistinctSortedAndUniform() {
        for (long active : new long[]{10, 500, 900, 999}) {
            long[] p = Structures.sampledPositions(1000, active, new SplittableRandom(active));
            assertThat(p).hasSize((int) active);
            for (int i = 1; i < p.length; i++) {
                assertThat(p[i]).isGreaterThan(p[i - 1]);
            }
            assertThat(p[0]).isGreaterThanOrEqualTo(0);
            assertThat(p[p.length - 1]).isLessThan(1000);
        }
        // uniform: each of 10 buckets of 100 positions gets its share of 20 x 100 draws within 5 sigma
        int[] buckets = new int[10];
        for (int t = 0; t < 20; t++) {
            for (long q : Structures.sampledPositions(1000, 100, new SplittableRandom(1000 + t))) {
                buckets[(int) (q / 100)]++;
            }
        }
        for (int b : buckets) {
            assertThat(b).isBetween(200 - 5 * 13, 200 + 5 * 13);
        }
    }
}
