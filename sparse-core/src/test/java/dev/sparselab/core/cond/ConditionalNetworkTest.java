package dev.sparselab.core.cond;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.core.data.AssociativeRecall;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.NoGrad;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every feed-forward kind and attention pattern: the parameter count is the spec's, and the sparse paths
 * (routed experts, gathered keys, product-key retrieval, hard tree paths) compute exactly what the dense
 * reference (every expert, every causal pair masked, every memory scored) computes.
 */
class ConditionalNetworkTest {
    static ExperimentSpec spec(String ffn, String attention) {
        return new SpecParser().parse("""
                {"name": "t", "dataset": {"name": "associative-recall", "pairs": 16, "trainSubset": 40,
                  "testSubset": 10},
                 "model": {"type": "transformer", "depth": 2, "width": 16, "heads": 2, "context": 24,
                   "ffn": %s, "attention": %s},
                 "training": {"epochs": 1, "batchSize": 4, "seed": 3}}""".formatted(ffn, attention), false);
    }

    static final String[] FFNS = {
        "{\"kind\": \"dense\", \"hidden\": 32}",
        "{\"kind\": \"moe\", \"experts\": 4, \"k\": 2, \"hidden\": 8, \"capacityFactor\": 1.0}",
        "{\"kind\": \"switch\", \"experts\": 4, \"hidden\": 8}",
        "{\"kind\": \"hash\", \"experts\": 4, \"hidden\": 8, \"hashTable\": \"balanced\"}",
        "{\"kind\": \"base\", \"experts\": 4, \"hidden\": 8}",
        "{\"kind\": \"pkm\", \"heads\": 2, \"keys\": 8, \"k\": 4, \"keyDim\": 8}",
        "{\"kind\": \"peer\", \"heads\": 2, \"keys\": 8, \"k\": 4, \"keyDim\": 8}",
        "{\"kind\": \"fff\", \"depth\": 2, \"hidden\": 8}",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void sparseComputationEqualsTheDenseReferenceForEveryFfn(int which) {
        check(spec(FFNS[which], "{\"pattern\": \"dense\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"pattern\": \"window\", \"window\": 5}", "{\"pattern\": \"strided\", \"stride\": 4}",
        "{\"pattern\": \"bigbird\", \"blockSize\": 4, \"globalTokens\": 2, \"randomBlocks\": 1}",
        "{\"pattern\": \"topk\", \"k\": 3}"})
    void sparseAttentionEqualsTheMaskedDenseReference(String attention) {
        check(spec(FFNS[1], attention));
    }

    private static void check(ExperimentSpec spec) {
        TokenData data = AssociativeRecall.generate(spec.dataset(), spec.model().context(), 3, true);
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Engines.device(), Engines.ENGINE)) {
            ConditionalNetwork net = ConditionalNetwork.build(spec, data.vocabulary(), data.vocabulary(),
                    data.frequencies(), m);
            ConditionalSize.Count size = net.size();
            assertThat(net.weights().count()).isEqualTo(size.total());
            assertThat(size.active()).isLessThanOrEqualTo(size.total());
            int b = 4;
            int[] tokens = java.util.Arrays.copyOf(data.inputs(), b * data.length());
            NDArray sparse = net.logits(tokens, null, b, new Step(m, false, false, 1, false));
            NDArray dense = net.logits(tokens, null, b, new Step(m, false, true, 1, false));
            assertThat(sparse.getShape().getShape()).containsExactly((long) b * data.length(), data.vocabulary());
            float[] s = sparse.toFloatArray();
            float[] d = dense.toFloatArray();
            double maxDiff = 0;
            for (int i = 0; i < s.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(s[i] - d[i]));
            }
            assertThat(maxDiff).isLessThan(1e-4);
            // a training forward pass works too (noise, soft trees, balanced assignment) and stays finite
            NDArray train = net.logits(tokens, null, b, new Step(m, true, false, 1, true));
            for (float v : train.toFloatArray()) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }
}
