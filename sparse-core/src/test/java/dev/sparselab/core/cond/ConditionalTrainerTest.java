package dev.sparselab.core.cond;

import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.train.Checkpointer;
import dev.sparselab.core.run.Trainers;
import dev.sparselab.core.Required;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.core.train.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training and evaluating conditional models end to end on real (token) data. */
class ConditionalTrainerTest {
    static final Path TEXT = DatasetCache.DEFAULT_TEXT_DIR;

    static ExperimentSpec spec(String json) {
        return new SpecParser().parse(json, false);
    }

    record Trained(TrainingResult result, Evaluation evaluation, List<MetricPoint> metrics) {
    }

    static Trained train(ExperimentSpec spec, DatasetCache cache) {
        List<MetricPoint> metrics = new ArrayList<>();
        long seed = spec.training().seed();
        TokenData train = cache.tokens(spec.dataset(), spec.model().context(), seed, true);
        TrainingResult r = Trainers.forSpec(spec, train, metrics::addAll).run();
        ModelArtifact stored = ModelArtifact.fromBytes(r.artifact().toBytes());
        Evaluation e = new ConditionalEvaluator().evaluate(stored,
                cache.tokens(spec.dataset(), spec.model().context(), seed, false));
        return new Trained(r, e, metrics);
    }

    static double last(List<MetricPoint> metrics, String name) {
        return metrics.stream().filter(p -> p.name().equals(name)).reduce((a, b) -> b).orElseThrow().value();
    }

    @Test
    void moeTransformerLearnsAssociativeRecallAndReportsItsRouting() {
        ExperimentSpec spec = spec("""
                {"name": "ar", "dataset": {"name": "associative-recall", "pairs": 24, "trainSubset": 600,
                  "testSubset": 100},
                 "model": {"type": "transformer", "depth": 1, "width": 32, "heads": 2, "context": 24,
                   "ffn": {"kind": "moe", "experts": 4, "k": 2, "hidden": 32, "capacityFactor": 1.5}},
                 "training": {"epochs": 6, "batchSize": 16, "seed": 1,
                   "optimizer": {"type": "adam", "learningRate": 0.01}}}""");
        Trained t = train(spec, new DatasetCache(Path.of("/nonexistent")));
        // 32 values: chance is 1/32; the table of 24 pairs is learned
        assertThat(t.evaluation().testAccuracy()).isGreaterThan(0.9);
        assertThat(t.evaluation().conditional().blocks()).hasSize(1);
        var block = t.evaluation().conditional().blocks().get(0);
        assertThat(block.load()).hasSize(4);
        assertThat(block.load().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.evaluation().conditional().activeParameters())
                .isLessThan(t.evaluation().conditional().totalParameters());
        assertThat(last(t.metrics(), "ffn.block1.aux_loss")).isGreaterThanOrEqualTo(0);
        assertThat(last(t.metrics(), "ffn.block1.dropped")).isBetween(0.0, 0.5);
        assertThat(t.metrics().stream().filter(p -> p.name().startsWith("ffn.block1.load."))
                .map(MetricPoint::name).distinct()).hasSize(4);
        assertThat(t.evaluation().latency()).hasSize(2);
    }

    @Test
    void windowAttentionTransformerLearnsCharacterLevelText() {
        Required.that(Files.isRegularFile(TEXT.resolve("songs-poems")),
                "Debian package fortunes is not installed");
        ExperimentSpec spec = spec("""
                {"name": "lm", "dataset": {"name": "char-lm", "trainSubset": 1200, "testSubset": 200},
                 "model": {"type": "transformer", "depth": 2, "width": 48, "heads": 4, "context": 32,
                   "attention": {"pattern": "window", "window": 8}},
                 "training": {"epochs": 2, "batchSize": 32, "seed": 2,
                   "optimizer": {"type": "adam", "learningRate": 0.003}}}""");
        Trained t = train(spec, new DatasetCache(Path.of("/nonexistent")));
        // uniform over bytes is 8 bits; the text's unigram entropy is 4.73 bits: below 4 the model uses context
        assertThat(t.evaluation().conditional().bitsPerCharacter()).isLessThan(4.0);
        assertThat(t.evaluation().conditional().perplexity())
                .isCloseTo(Math.pow(2, t.evaluation().conditional().bitsPerCharacter()),
                        org.assertj.core.data.Offset.offset(1e-6));
        // 8 of up to 32 keys per query: 1+..+7 + 25*8 = 228 of 528 causal pairs
        assertThat(t.evaluation().conditional().attentionDensity()).isEqualTo(228.0 / 528);
        assertThat(last(t.metrics(), "attention.density")).isEqualTo(228.0 / 528);
        assertThat(t.evaluation().cost().sparseFlops()).isLessThan(t.evaluation().cost().denseFlops());
        assertThat(t.evaluation().top5Accuracy()).isGreaterThan(t.evaluation().testAccuracy());
    }

    @Test
    void aResumedRunEndsExactlyLikeAnUninterruptedOne() {
        ExperimentSpec spec = spec("""
                {"name": "ar", "dataset": {"name": "associative-recall", "pairs": 8, "trainSubset": 64,
                  "testSubset": 16},
                 "model": {"type": "transformer", "depth": 1, "width": 16, "heads": 2, "context": 12,
                   "ffn": {"kind": "switch", "experts": 4, "hidden": 8}},
                 "training": {"epochs": 2, "batchSize": 16, "seed": 4,
                   "optimizer": {"type": "adam", "learningRate": 0.01}}}""");
        DatasetCache cache = new DatasetCache(Path.of("/nonexistent"));
        TokenData train = cache.tokens(spec.dataset(), 12, 4, true);
        List<Checkpoint> saved = new ArrayList<>();
        TrainingResult whole = Trainers.forSpec(spec, train, p -> { })
                .checkpointWith(new Checkpointer() {
                    @Override
                    public boolean due(int epochsDone, int position, long step, boolean epochEnd) {
                        return step == 6; // mid-epoch 2 (4 steps per epoch)
                    }

                    @Override
                    public void save(Checkpoint checkpoint) {
                        saved.add(Checkpoint.fromBytes(checkpoint.toBytes()));
                    }
                }).run();
        assertThat(saved).hasSize(1);
        TrainingResult resumed = Trainers.forSpec(spec, train, p -> { })
                .resumeFrom(saved.get(0)).run();
        whole.artifact().tensors().forEach((name, tensor) ->
                assertThat(resumed.artifact().tensors().get(name).data()).as(name).containsExactly(tensor.data()));
    }
}
