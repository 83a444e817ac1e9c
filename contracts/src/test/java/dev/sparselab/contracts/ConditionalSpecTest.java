package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.FieldError;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.ModelSize;
import dev.sparselab.contracts.spec.SpecParser;
import org.junit.jupiter.api.Test;

/** Transformer, conditional-block and token-data specs: defaults, sizes and the errors of bad ones. */
class ConditionalSpecTest {
    final SpecParser parser = new SpecParser();

    static String transformer(String dataset, String model) {
        return """
                {"name": "t", "dataset": %s,
                 "model": {"type": "transformer"%s},
                 "training": {"epochs": 1}}""".formatted(dataset, model);
    }

    @Test
    void fillsTheDocumentedDefaults() {
        ExperimentSpec s = parser.parse(transformer("{\"name\": \"char-lm\"}", ", \"ffn\": {\"kind\": \"moe\"}"), false);
        assertThat(s.dataset().path()).isEqualTo("songs-poems");
        assertThat(s.model().depth()).isEqualTo(2);
        assertThat(s.model().width()).isEqualTo(64);
        assertThat(s.model().heads()).isEqualTo(4);
        assertThat(s.model().context()).isEqualTo(64);
        assertThat(s.model().activation()).isEqualTo("gelu");
        assertThat(s.model().attention().pattern()).isEqualTo("dense");
        assertThat(s.model().ffn().experts()).isEqualTo(8);
        assertThat(s.model().ffn().k()).isEqualTo(2);
        assertThat(s.model().ffn().auxWeight()).isEqualTo(0.01);
        assertThat(s.model().ffn().noise()).isTrue();
        assertThat(s.model().ffn().capacityFactor()).isNull();
        ExperimentSpec pkm = parser.parse(transformer("{\"name\": \"associative-recall\"}",
                ", \"ffn\": {\"kind\": \"pkm\"}, \"attention\": {\"pattern\": \"bigbird\"}"), false);
        assertThat(pkm.model().ffn().heads()).isEqualTo(4);
        assertThat(pkm.model().ffn().k()).isEqualTo(32);
        assertThat(pkm.model().ffn().keys()).isEqualTo(512);
        assertThat(pkm.model().attention().blockSize()).isEqualTo(8);
        assertThat(pkm.dataset().pairs()).isEqualTo(256);
        assertThat(pkm.dataset().recall()).isEqualTo("memory");
        assertThat(parser.parse(transformer("{\"name\": \"char-lm\"}", ", \"ffn\": {\"kind\": \"switch\"}"), false)
                .model().ffn().capacityFactor()).isEqualTo(1.25);
    }

    @Test
    void countsParametersOfATransformer() {
        ExperimentSpec s = parser.parse(transformer("{\"name\": \"char-lm\"}",
                ", \"depth\": 1, \"width\": 8, \"heads\": 2, \"context\": 4, \"ffn\": {\"kind\": \"dense\", \"hidden\": 16}"),
                false);
        // embeddings 256*8 + 4*8; block: ln 16, qkv 8*24+24, out 8*8+8, ln 16, ffn 8*16+16+16*8+8; final ln 16;
        // output 8*256+256
        long expected = 2048 + 32 + 16 + 216 + 72 + 16 + 280 + 16 + 2304;
        assertThat(ModelSize.parameters(s)).isEqualTo(expected);
        ConditionalSize.Count moe = ConditionalSize.transformer(parser.parse(transformer("{\"name\": \"char-lm\"}",
                ", \"ffn\": {\"kind\": \"moe\", \"experts\": 8, \"k\": 2, \"hidden\": 64}"), false).model(), 256);
        assertThat(moe.active()).isLessThan(moe.total());
    }

    @Test
    void refusesInconsistentSpecsNamingEachField() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(
                transformer("{\"name\": \"fashion-mnist\"}", ", \"width\": 30, \"heads\": 4"), false));
        assertThat(e.errors()).extracting(FieldError::pointer).contains("/dataset/name");
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(
                transformer("{\"name\": \"char-lm\"}", ", \"width\": 30, \"heads\": 4, \"context\": 8,"
                        + " \"attention\": {\"pattern\": \"window\", \"window\": 9}"), false));
        assertThat(e.errors()).extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/model/width", "/model/attention/window");
        // parameters of another kind or pattern are refused, not ignored
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(
                transformer("{\"name\": \"char-lm\", \"pairs\": 3}", ", \"ffn\": {\"kind\": \"dense\", \"experts\": 4},"
                        + " \"attention\": {\"pattern\": \"dense\", \"window\": 4}"), false));
        assertThat(e.errors()).extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/dataset/pairs", "/model/ffn/experts", "/model/attention/window");
        assertThat(e.errors()).extracting(FieldError::message).contains(
                "'experts' is not a parameter of ffn kind 'dense' (GET /api/v1/catalog lists the parameters)");
        // token data needs a transformer; a transformer takes no weight-sparsity method
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse("""
                {"name": "t", "dataset": {"name": "char-lm"}, "model": {"type": "mlp"}, "training": {"epochs": 1}}""",
                false));
        assertThat(e.errors()).containsExactly(new FieldError("/model/type",
                "token data (char-lm, associative-recall) needs model type transformer"));
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse("""
                {"name": "t", "dataset": {"name": "char-lm"}, "model": {"type": "transformer"},
                 "training": {"epochs": 1}, "sparsity": {"method": "magnitude", "target": 0.5}}""", false));
        assertThat(e.errors()).extracting(FieldError::pointer).contains("/sparsity/method");
        // an mlp cannot hash-route (no token ids); paths cannot leave the text directory
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse("""
                {"name": "t", "dataset": {"name": "fashion-mnist"},
                 "model": {"type": "mlp", "ffn": {"kind": "hash"}}, "training": {"epochs": 1}}""", false));
        assertThat(e.errors()).extracting(FieldError::pointer).contains("/model/ffn/kind");
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(
                transformer("{\"name\": \"char-lm\", \"path\": \"../../etc/passwd\"}", ""), false));
        assertThat(e.errors()).extracting(FieldError::pointer).contains("/dataset/path");
        e = catchThrowableOfType(InvalidSpecException.class, () -> parser.parse(
                transformer("{\"name\": \"associative-recall\", \"recall\": \"context\", \"pairs\": 20}",
                        ", \"context\": 32"), false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/dataset/pairs");
    }

    @Test
    void anMlpWithAConditionalBlockIsCountedByItsActiveParameters() {
        ExperimentSpec s = parser.parse("""
                {"name": "t", "dataset": {"name": "fashion-mnist"},
                 "model": {"type": "mlp", "hidden": [64], "ffn": {"kind": "moe", "experts": 4, "k": 1, "hidden": 32,
                   "noise": false}},
                 "training": {"epochs": 1}}""", false);
        ConditionalSize.Count c = ConditionalSize.mlp(s.model(), 784, 10);
        long expert = 2 * 64 * 32 + 32 + 64;
        long base = 784 * 64 + 64 + 64 * 10 + 10;
        assertThat(c.total()).isEqualTo(base + 64 * 4 + 4 * expert);
        assertThat(c.active()).isEqualTo(base + 64 * 4 + expert);
        assertThat(ModelSize.parameters(s)).isEqualTo(c.total());
        // noisy top-k gating: the noise projection is trained (total) but inference never runs it (not active; it
        // was counted active)
        ExperimentSpec noisy = parser.parse("""
                {"name": "t", "dataset": {"name": "fashion-mnist"},
                 "model": {"type": "mlp", "hidden": [64], "ffn": {"kind": "moe", "experts": 4, "k": 1, "hidden": 32,
                   "noise": true}},
                 "training": {"epochs": 1}}""", false);
        ConditionalSize.Count n = ConditionalSize.mlp(noisy.model(), 784, 10);
        assertThat(n.total()).isEqualTo(base + 2 * 64 * 4 + 4 * expert);
        assertThat(n.active()).isEqualTo(base + 64 * 4 + expert);
    }

    @Test
    void theCommittedSweepComparesArchitecturesAtEqualActiveParameters() throws Exception {
        String text = java.nio.file.Files.readString(java.nio.file.Path.of("../bench/specs/conditional-sweep.yaml"));
        var plan = parser.plan(text, true);
        assertThat(plan.runs()).hasSize(60); // 10 models x 2 datasets x 3 seeds
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (var run : plan.runs()) {
            ExperimentSpec s = run.spec();
            kinds.add(s.model().ffn().kind() + "/" + s.model().attention().pattern() + "/" + s.model().context());
            if (s.model().context() == 64) {
                long active = ConditionalSize.transformer(s.model(), ConditionalSize.vocabulary(s.dataset())).active();
                long dense = ConditionalSize.transformer(plan.runs().get(0).spec().model(),
                        ConditionalSize.vocabulary(s.dataset())).active();
                assertThat((double) active / dense).as(s.model().ffn().kind()).isBetween(0.99, 1.01);
            }
        }
        assertThat(kinds).hasSize(10);
    }
}
