package dev.sparselab.core.cond;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.contracts.spec.FfnSpec;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.NoGrad;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Gating, load-balancing losses and product-key retrieval on arrays. */
class BlocksTest {
    private static float[] gaussian(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    @Test
    void topKGatingPicksExactlyKExpertsWhoseGatesSumToOne() {
        int n = 40;
        int d = 12;
        int e = 8;
        int k = 2;
        FfnSpec spec = new FfnSpec("moe", 6, e, k, null, 0.01, false, null, null, null, null, null, null, null);
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            Weights w = new Weights(m, 1);
            RoutedFfn moe = new RoutedFfn(spec, "moe", d, w, null, 1);
            w.get("moe.gate").set(java.nio.FloatBuffer.wrap(gaussian(d * e, 2)));
            NDArray x = m.create(gaussian(n * d, 3), new Shape(n, d));
            Step step = new Step(m, false, false, 1, false);
            RoutedFfn.Gating gating = moe.gate(x, null, step);
            float[] logits = x.matMul(w.get("moe.gate")).toFloatArray();
            float[] combine = Experts.combine(step, gating.choices(), gating.gates(), e).toFloatArray();
            for (int t = 0; t < n; t++) {
                int nonZero = 0;
                double sum = 0;
                for (int j = 0; j < e; j++) {
                    nonZero += combine[t * e + j] > 0 ? 1 : 0;
                    sum += combine[t * e + j];
                }
                assertThat(nonZero).isEqualTo(k);
                assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
                // the chosen experts are the k largest logits, and the gates are their softmax
                float[] row = java.util.Arrays.copyOfRange(logits, t * e, (t + 1) * e);
                int[] chosen = gating.choices()[t];
                for (int j = 0; j < e; j++) {
                    boolean isChosen = j == chosen[0] || j == chosen[1];
                    if (!isChosen) {
                        assertThat(row[j]).isLessThanOrEqualTo(Math.min(row[chosen[0]], row[chosen[1]]));
                    }
                }
                double expected = 1 / (1 + Math.exp(row[chosen[1]] - row[chosen[0]]));
                assertThat(combine[t * e + chosen[0]]).isCloseTo((float) expected,
                        org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    /**
     * BASE's block is x + sigmoid(h . c_e) E_e(h) with h = LN(x) (fairseq's BaseLayer): with experts that output
     * nothing the block adds nothing. It used to add (1 - sigmoid) h too, a second, untrained residual of LN(x).
     */
    @Test
    void baseAddsOnlyTheGatedExpertOutputToTheResidual() {
        int n = 16;
        int d = 8;
        FfnSpec spec = new FfnSpec("base", 4, 4, null, null, null, null, null, null, null, null, null, null, null);
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            Weights w = new Weights(m, 1);
            RoutedFfn base = new RoutedFfn(spec, "base", d, w, null, 1);
            for (var t : w.targets()) {
                if (t.name().startsWith("base.experts")) {
                    t.parameter().getArray().set(new float[(int) t.parameter().getArray().size()]);
                }
            }
            NDArray x = m.create(gaussian(n * d, 5), new Shape(n, d));
            float[] y = base.forward(x, null, new Step(m, false, false, 1, false)).toFloatArray();
            for (float v : y) {
                assertThat(v).isZero();
            }
        }
    }

    /**
     * BASE scores tokens against the centroids on the residual stream (fairseq's BaseLayer takes the raw features;
     * its experts normalize their own input): the choice and the gate follow x . c, not LN(x) . c as they did.
     */
    @Test
    void baseRoutesOnTheResidualStream() {
        int n = 8;
        int d = 4;
        FfnSpec spec = new FfnSpec("base", 4, 2, null, null, null, null, null, null, null, null, null, null, null);
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            Weights w = new Weights(m, 1);
            RoutedFfn base = new RoutedFfn(spec, "base", d, w, null, 1);
            NDArray h = m.create(gaussian(n * d, 3), new Shape(n, d));
            NDArray x = m.create(gaussian(n * d, 4), new Shape(n, d));
            Step step = new Step(m, false, false, 1, false);
            RoutedFfn.Gating byResidual = base.gate(x, null, step);
            float[] scores = x.matMul(w.get("base.centroids")).toFloatArray();
            int[] chosen = Routing.greedy(scores, n, 2);
            assertThat(byResidual.choices()).isDeepEqualTo(toChoices(chosen));
            float[] gates = byResidual.gates().toFloatArray();
            for (int t = 0; t < n; t++) {
                assertThat(gates[t]).isCloseTo((float) (1 / (1 + Math.exp(-scores[t * 2 + chosen[t]]))),
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
            // the block routes on its residual argument: on h instead, the output differs for these inputs
            assertThat(base.forward(h, x, null, step).toFloatArray())
                    .isNotEqualTo(base.forward(h, h, null, step).toFloatArray());
        }
    }

    /**
     * Product-key queries are batch-normalized as Lample et al.'s query network does: in training each query
     * feature has mean 0 and variance 1 over the batch (gain 1, bias 0 at init) and the running statistics move by
     * momentum 0.1; evaluation normalizes with the running statistics. The queries were used raw before.
     */
    @Test
    void productKeyQueriesAreBatchNormalized() {
        int n = 64;
        int d = 8;
        FfnSpec spec = new FfnSpec("pkm", null, null, 4, null, null, null, null, 2, 8, 8, null, true, null);
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            Weights w = new Weights(m, 1);
            MemoryFfn pkm = new MemoryFfn(spec, "pkm", d, w);
            assertThat(w.counts()).containsKeys("pkm.queryNorm.gain", "pkm.queryNorm.bias");
            float[] raw = gaussian(n * 16, 7);
            for (int i = 0; i < raw.length; i++) {
                raw[i] = raw[i] * 3 + 2; // mean 2, deviation 3 per feature
            }
            NDArray q = m.create(raw, new Shape(n, 16));
            float[] trained = pkm.normalizeQuery(q, new Step(m, true, false, 1, false)).toFloatArray();
            for (int c = 0; c < 16; c++) {
                double mean = 0;
                double sq = 0;
                for (int r = 0; r < n; r++) {
                    mean += trained[r * 16 + c];
                    sq += trained[r * 16 + c] * trained[r * 16 + c];
                }
                mean /= n;
                assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-4));
                assertThat(sq / n - mean * mean).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-3));
            }
            float[] runningMean = w.buffer("pkm.queryNorm.runningMean");
            double batchMean = 0;
            for (int r = 0; r < n; r++) {
                batchMean += raw[r * 16];
            }
            assertThat((double) runningMean[0]).isCloseTo(0.1 * batchMean / n, org.assertj.core.data.Offset.offset(1e-5));
            // evaluation: (q - running mean) / sqrt(running var + eps)
            float[] eval = pkm.normalizeQuery(q, new Step(m, false, false, 1, false)).toFloatArray();
            float[] runningVar = w.buffer("pkm.queryNorm.runningVar");
            assertThat(eval[0]).isCloseTo((float) ((raw[0] - runningMean[0]) / Math.sqrt(runningVar[0] + 1e-5)),
                    org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    /**
     * Fast feedforward training adds the reference's hardening term, hardening x the mean entropy of the routing
     * decisions, so that training's soft mixture and inference's hard path come to agree. It had none.
     */
    @Test
    void fastFeedforwardTrainingAddsTheHardeningTerm() {
        int n = 16;
        int d = 8;
        FfnSpec spec = new FfnSpec("fff", 4, null, null, null, null, null, null, null, null, null, 2, null, 0.1);
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            Weights w = new Weights(m, 1);
            FastFfn fff = new FastFfn(spec, "fff", d, w);
            NDArray x = m.create(gaussian(n * d, 9), new Shape(n, d));
            Step step = new Step(m, true, false, 1, false);
            fff.forward(x, null, step);
            assertThat(step.auxLosses).hasSize(1);
            float[] c = Ops.floats(ai.djl.nn.Activation.sigmoid(x.matMul(w.get("fff.nodes")).add(w.get("fff.nodeBias"))));
            double entropy = 0;
            for (float v : c) {
                entropy += -v * Math.log(v) - (1 - v) * Math.log(1 - v);
            }
            assertThat((double) step.auxLoss().getFloat()).isCloseTo(0.1 * entropy / c.length,
                    org.assertj.core.data.Offset.offset(1e-5));
            // at evaluation nothing is added
            Step eval = new Step(m, false, false, 1, false);
            fff.forward(x, null, eval);
            assertThat(eval.auxLosses).isEmpty();
            assertThat(FastFfn.entropy(m.create(new float[]{0.5f, 0f})).toFloatArray())
                    .containsExactly(new float[]{(float) Math.log(2), 1.4815510e-5f}, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    private static int[][] toChoices(int[] assigned) {
        int[][] c = new int[assigned.length][1];
        for (int i = 0; i < assigned.length; i++) {
            c[i][0] = assigned[i];
        }
        return c;
    }

    @Test
    void loadBalancingLossesAreMinimalForUniformLoad() {
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            int e = 8;
            float[] uniform = new float[e];
            java.util.Arrays.fill(uniform, 1f / e);
            NDArray u = m.create(uniform);
            // Shazeer: CV^2 is 0 for equal importance/load and positive otherwise
            assertThat(Ops.cv2(u.mul(100)).getFloat()).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-6f));
            // Switch: E sum f_i P_i is 1 when both are uniform
            assertThat(RoutedFfn.switchLoss(u, u, e).getFloat()).isCloseTo(1f,
                    org.assertj.core.data.Offset.offset(1e-6f));
            SplittableRandom rng = new SplittableRandom(9);
            for (int trial = 0; trial < 50; trial++) {
                float[] f = new float[e];
                float sum = 0;
                for (int i = 0; i < e; i++) {
                    f[i] = (float) Math.pow(rng.nextDouble(), 3);
                    sum += f[i];
                }
                for (int i = 0; i < e; i++) {
                    f[i] /= sum;
                }
                NDArray skew = m.create(f);
                assertThat(Ops.cv2(skew).getFloat()).isGreaterThan(0f);
                // when the router's probabilities follow the load, any imbalance costs more than uniform
                assertThat(RoutedFfn.switchLoss(skew, skew, e).getFloat()).isGreaterThan(1f);
            }
        }
    }

    @Test
    void productKeyRetrievalReturnsTheBruteForceTopK() {
        int n = 30;
        int heads = 3;
        int half = 5;
        int keys = 16;
        int k = 6;
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            NDArray q1 = m.create(gaussian(n * heads * half, 1), new Shape(n, heads, half));
            NDArray q2 = m.create(gaussian(n * heads * half, 2), new Shape(n, heads, half));
            NDArray k1 = m.create(gaussian(heads * keys * half, 3), new Shape(heads, keys, half));
            NDArray k2 = m.create(gaussian(heads * keys * half, 4), new Shape(heads, keys, half));
            ProductKeys.Retrieved fast = ProductKeys.retrieve(q1, q2, k1, k2, k, keys);
            ProductKeys.Retrieved all = ProductKeys.bruteForce(q1, q2, k1, k2, k, keys);
            long[] fastIds = fast.memories().toLongArray();
            long[] allIds = all.memories().toLongArray();
            float[] fastScores = fast.scores().toFloatArray();
            float[] allScores = all.scores().toFloatArray();
            assertThat(fastIds).hasSize(n * heads * k);
            for (int row = 0; row < n * heads; row++) {
                Set<Long> a = new HashSet<>();
                Set<Long> b = new HashSet<>();
                for (int j = 0; j < k; j++) {
                    a.add(fastIds[row * k + j]);
                    b.add(allIds[row * k + j]);
                    assertThat(fastScores[row * k + j]).isCloseTo(allScores[row * k + j],
                            org.assertj.core.data.Offset.offset(1e-5f));
                }
                assertThat(a).isEqualTo(b);
                assertThat(a).allMatch(id -> id >= 0 && id < (long) keys * keys);
            }
        }
    }
}
