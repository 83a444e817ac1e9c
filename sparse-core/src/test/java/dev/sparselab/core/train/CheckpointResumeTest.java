package dev.sparselab.core.train;

import dev.sparselab.core.run.Trainers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.SyntheticData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A run resumed from a checkpoint (through its bytes, in a fresh trainer) ends with exactly the weights,
 * masks and metrics of the same run trained without interruption: for every kind of method state
 * (static masks, schedules, regrowth with randomness, rewinding, dense shadow weights, thresholds,
 * momentum and Adam moments, dropout), at epoch boundaries and in the middle of an epoch.
 */
class CheckpointResumeTest {
    private static final SpecParser PARSER = new SpecParser();

    private static ExperimentSpec spec(String sparsity, String optimizer, String model) {
        return PARSER.parse("""
                {"name": "resume", "dataset": {"name": "synthetic"},
                 "model": %s,
                 "training": {"epochs": 3, "batchSize": 64, "seed": 11, "optimizer": %s},
                 "sparsity": %s}""".formatted(model, optimizer, sparsity), false);
    }

    private static final String SGD = "{\"type\": \"sgd\", \"learningRate\": 0.05, \"momentum\": 0.9}";
    private static final String MLP = "{\"type\": \"mlp\", \"hidden\": [64, 32], \"activation\": \"relu\"}";

    private static Dataset data() {
        return SyntheticData.generate(11, true);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"method\": \"dense\"}",
        "{\"method\": \"magnitude\", \"target\": 0.8}",
        "{\"method\": \"gmp\", \"target\": 0.8}",
        "{\"method\": \"imp\", \"target\": 0.75, \"rate\": 0.5}",
        "{\"method\": \"set\", \"target\": 0.8}",
        "{\"method\": \"rigl\", \"target\": 0.8, \"deltaT\": 10}",
        "{\"method\": \"snfs\", \"target\": 0.8}",
        "{\"method\": \"srigl\", \"target\": 0.8, \"deltaT\": 10}",
        "{\"method\": \"nm\", \"n\": 2, \"m\": 4}",
        "{\"method\": \"neuron\", \"target\": 0.5}",
        "{\"method\": \"relu-threshold\", \"target\": 0.5}"
    })
    void resumedRunEqualsUninterruptedRunBitForBit(String sparsity) {
        ExperimentSpec spec = spec(sparsity, SGD, MLP);
        assertResumesExactly(spec);
    }

    @Test
    void adamMomentsAndDropoutResumeExactly() {
        ExperimentSpec spec = spec("{\"method\": \"rigl\", \"target\": 0.9, \"deltaT\": 5}",
                "{\"type\": \"adam\", \"learningRate\": 0.002}",
                "{\"type\": \"mlp\", \"hidden\": [64, 32], \"activation\": \"relu\", \"dropout\": 0.2}");
        assertResumesExactly(spec);
    }

    private static void assertResumesExactly(ExperimentSpec spec) {
        Resumption.assertResumesExactly(spec, data());
    }

    @Test
    void checkpointThatDisagreesWithTheRunFailsLoudly() {
        ExperimentSpec spec = spec("{\"method\": \"magnitude\", \"target\": 0.8, \"finetuneEpochs\": 1}", SGD, MLP);
        RecordingCheckpointer recorder = new RecordingCheckpointer();
        Trainers.forSpec(spec, data(), p -> { }).checkpointWith(recorder).run();
        Checkpoint atEnd = Checkpoint.fromBytes(recorder.saved.get("3:0"));
        // another spec
        ExperimentSpec other = spec("{\"method\": \"magnitude\", \"target\": 0.7, \"finetuneEpochs\": 1}", SGD, MLP);
        assertThatThrownBy(() -> Trainers.forSpec(other, data(), p -> { }).resumeFrom(atEnd).run())
                .isInstanceOf(CheckpointMismatchException.class).hasMessageContaining("spec");
        // a weight that is non-zero under its mask
        Map<String, dev.sparselab.contracts.artifact.ModelArtifact.Tensor> tensors = new LinkedHashMap<>(atEnd.tensors());
        float[] mask = atEnd.group("mask").get("fc1");
        float[] w = tensors.get("param/fc1.weight").data().clone();
        int masked = 0;
        while (mask[masked] != 0f) {
            masked++;
        }
        w[masked] = 0.5f;
        tensors.put("param/fc1.weight", new ModelArtifact.Tensor(tensors.get("param/fc1.weight").shape(), w));
        Checkpoint badWeights = new Checkpoint(atEnd.specHash(), atEnd.epochsDone(), atEnd.position(), atEnd.step(),
                atEnd.scalars(), tensors);
        assertThatThrownBy(() -> Trainers.forSpec(spec, data(), p -> { }).resumeFrom(badWeights).run())
                .isInstanceOf(CheckpointMismatchException.class)
                .hasMessageContaining("weights of fc1 are non-zero at 1 masked positions");
        // momentum that is non-zero under the mask (the optimizer's masking was not kept)
        Map<String, ModelArtifact.Tensor> t2 = new LinkedHashMap<>(atEnd.tensors());
        float[] m = t2.get("opt/fc1.weight/0").data().clone();
        m[masked] = 1e-3f;
        t2.put("opt/fc1.weight/0", new ModelArtifact.Tensor(t2.get("opt/fc1.weight/0").shape(), m));
        Checkpoint badMomentum = new Checkpoint(atEnd.specHash(), atEnd.epochsDone(), atEnd.position(), atEnd.step(),
                atEnd.scalars(), t2);
        assertThatThrownBy(() -> Trainers.forSpec(spec, data(), p -> { }).resumeFrom(badMomentum).run())
                .isInstanceOf(CheckpointMismatchException.class).hasMessageContaining("optimizer state of fc1");
        // a step counter that does not fit the epoch
        Checkpoint badStep = new Checkpoint(atEnd.specHash(), atEnd.epochsDone(), atEnd.position(), atEnd.step() + 1,
                atEnd.scalars(), atEnd.tensors());
        assertThatThrownBy(() -> Trainers.forSpec(spec, data(), p -> { }).resumeFrom(badStep).run())
                .isInstanceOf(CheckpointMismatchException.class).hasMessageContaining("step counter");
    }
}
