package dev.sparselab.core.cond;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The discrete routing algorithms: top-k, capacity dispatch, hash tables, BASE's balanced assignment. */
class RoutingTest {
    private static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) rng.nextGaussian();
        }
        return s;
    }

    @Test
    void topKPicksExactlyTheKHighestDistinctExperts() {
        int tokens = 50;
        int experts = 8;
        float[] s = random(tokens * experts, 1);
        for (int k = 1; k <= experts; k++) {
            int[][] c = Routing.topK(s, tokens, experts, k);
            for (int t = 0; t < tokens; t++) {
                assertThat(Arrays.stream(c[t]).distinct().count()).isEqualTo(k);
                float[] row = Arrays.copyOfRange(s, t * experts, (t + 1) * experts);
                float[] sorted = row.clone();
                Arrays.sort(sorted);
                for (int j = 0; j < k; j++) {
                    assertThat(row[c[t][j]]).isEqualTo(sorted[experts - 1 - j]);
                }
            }
        }
    }

    @Test
    void dispatchRespectsCapacityAndPrefersFirstChoices() {
        // 6 tokens all choose expert 0 first, expert 1 second; capacity 4
        int[][] choices = new int[6][];
        for (int t = 0; t < 6; t++) {
            choices[t] = new int[]{0, 1};
        }
        Routing.Dispatch d = Routing.dispatch(choices, 3, 4);
        assertThat(d.routed()).containsExactly(6, 6, 0);
        assertThat(d.dropped()).isEqualTo(4); // 2 over capacity at expert 0 and 2 at expert 1
        for (int t = 0; t < 4; t++) {
            assertThat(d.tokenSlot()[t][0]).isEqualTo(t); // first choices fill expert 0 in token order
        }
        assertThat(d.tokenSlot()[4][0]).isEqualTo(-1);
        assertThat(d.tokenSlot()[5][0]).isEqualTo(-1);
        assertThat(d.slotToken()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, -1, -1, -1, -1);
        assertThat(Routing.capacity(1.25, 64, 1, 8)).isEqualTo(10);
        // unlimited capacity: nothing dropped
        assertThat(Routing.dispatch(choices, 3, 0).dropped()).isZero();
    }

    @Test
    void hashRoutingIsDeterministicAndBalanced() {
        long[] freq = new long[256];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < freq.length; i++) {
            freq[i] = (long) Math.floor(1000 * Math.pow(rng.nextDouble(), 4)); // skewed, Zipf-like
        }
        int experts = 8;
        int[] random = Routing.hashTable(freq, experts, false, 11);
        assertThat(Routing.hashTable(freq, experts, false, 11)).isEqualTo(random);
        assertThat(Routing.hashTable(freq, experts, false, 12)).isNotEqualTo(random);
        long[] ids = new long[experts];
        for (int e : random) {
            ids[e]++;
        }
        assertThat(ids).containsOnly(256 / experts); // random: exactly V/E token ids each

        int[] balanced = Routing.hashTable(freq, experts, true, 11);
        assertThat(Routing.hashTable(freq, experts, true, 11)).isEqualTo(balanced);
        long[] load = new long[experts];
        long[] randomLoad = new long[experts];
        for (int v = 0; v < freq.length; v++) {
            load[balanced[v]] += freq[v];
            randomLoad[random[v]] += freq[v];
        }
        long maxFreq = Arrays.stream(freq).max().orElseThrow();
        long spread = Arrays.stream(load).max().orElseThrow() - Arrays.stream(load).min().orElseThrow();
        long randomSpread = Arrays.stream(randomLoad).max().orElseThrow()
                - Arrays.stream(randomLoad).min().orElseThrow();
        // greedy by decreasing frequency: loads differ by at most one token's frequency
        assertThat(spread).isLessThanOrEqualTo(maxFreq);
        assertThat(spread).isLessThan(randomSpread);
    }

    @ParameterizedTest
    @CsvSource({"64, 8", "96, 8", "50, 8", "7, 3", "512, 16"})
    void baseAssignmentGivesEveryExpertExactlyItsShare(int tokens, int experts) {
        float[] s = random(tokens * experts, tokens);
        // skew the scores so that greedy routing would be very unbalanced
        for (int t = 0; t < tokens; t++) {
            s[t * experts] += 2f;
        }
        int[] a = Routing.balancedAssignment(s, tokens, experts);
        long[] count = new long[experts];
        for (int e : a) {
            count[e]++;
        }
        for (int e = 0; e < experts; e++) {
            assertThat(count[e]).isEqualTo(tokens / experts + (e < tokens % experts ? 1 : 0));
        }
        if (tokens % experts == 0) {
            assertThat(count).containsOnly(tokens / experts);
        }
        long[] greedy = new long[experts];
        for (int e : Routing.greedy(s, tokens, experts)) {
            greedy[e]++;
        }
        assertThat(greedy[0]).isGreaterThan(count[0]);
    }

    @Test
    void baseAssignmentIsOptimalOnSmallProblems() {
        // 6 tokens, 3 experts of 2 slots: brute force over all balanced assignments
        for (long seed = 0; seed < 20; seed++) {
            float[] s = random(18, seed);
            int[] a = Routing.balancedAssignment(s, 6, 3);
            double got = 0;
            for (int t = 0; t < 6; t++) {
                got += s[t * 3 + a[t]];
            }
            double best = bestBalanced(s, new int[6], 0, new int[3]);
            assertThat(got).isGreaterThanOrEqualTo(best - 6 * 1e-3);
        }
    }

    /**
     * When one expert dominates (the case BASE exists for), the assignment is still the optimum: compared with the
     * Hungarian algorithm over the tokens x slots matrix. The auction it replaced stopped on its bid budget and
     * assigned the rest greedily, 7% below the optimum here.
     */
    @ParameterizedTest
    @CsvSource({"64, 8, 2", "96, 8, 5", "50, 4, 1", "120, 16, 3"})
    void baseAssignmentIsOptimalWhenOneExpertDominates(int tokens, int experts, float skew) {
        for (long seed = 0; seed < 3; seed++) {
            float[] s = random(tokens * experts, seed + 17 * tokens);
            for (int t = 0; t < tokens; t++) {
                s[t * experts] += skew;
            }
            int[] a = Routing.balancedAssignment(s, tokens, experts);
            double got = 0;
            for (int t = 0; t < tokens; t++) {
                got += s[t * experts + a[t]];
            }
            int[] cap = Routing.balancedCapacities(tokens, experts);
            int[] slotExpert = new int[tokens];
            int k = 0;
            for (int e = 0; e < experts; e++) {
                for (int i = 0; i < cap[e]; i++) {
                    slotExpert[k++] = e;
                }
            }
            double[][] cost = new double[tokens][tokens];
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j < tokens; j++) {
                    cost[t][j] = -s[t * experts + slotExpert[j]];
                }
            }
            double optimum = -hungarian(cost);
            assertThat(got).as("seed %d", seed).isCloseTo(optimum, org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    /** The least total cost of a perfect matching of a square cost matrix (Hungarian algorithm, O(n^3)). */
    static double hungarian(double[][] a) {
        int n = a.length;
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] p = new int[n + 1];
        int[] way = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[n + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[n + 1];
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        double total = 0;
        for (int j = 1; j <= n; j++) {
            total += a[p[j] - 1][j - 1];
        }
        return total;
    }

    private static double bestBalanced(float[] s, int[] a, int t, int[] fill) {
        if (t == a.length) {
            double v = 0;
            for (int i = 0; i < a.length; i++) {
                v += s[i * 3 + a[i]];
            }
            return v;
        }
        double best = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < 3; e++) {
            if (fill[e] < 2) {
                fill[e]++;
                a[t] = e;
                best = Math.max(best, bestBalanced(s, a, t + 1, fill));
                fill[e]--;
            }
        }
        return best;
    }

    @Test
    void fastFeedforwardFollowsTheHardPath() {
        // depth 2: nodes 0 (root), 1 (left), 2 (right); leaves 0..3
        float[] c = {
            0.2f, 0.1f, 0.9f, // left, left -> leaf 0
            0.2f, 0.8f, 0.9f, // left, right -> leaf 1
            0.7f, 0.8f, 0.3f, // right, left -> leaf 2
            0.7f, 0.1f, 0.6f, // right, right -> leaf 3
        };
        assertThat(FastFfn.hardLeaves(c, 4, 2)).containsExactly(0, 1, 2, 3);
    }
}
