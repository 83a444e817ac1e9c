package dev.sparselab.core.sparsity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sparselab.contracts.events.RunProvenance;
import dev.sparselab.core.Specs;
import dev.sparselab.core.data.SyntheticData;
import org.junit.jupiter.api.Test;

/** Training FLOPs follow the mask schedule (RigL paper's counting: 3 f_S per example, dense gradients extra). */
class TrainingFlopsTest {
    // the synthetic MLP 32-64-32-10: f_D = 2 * (32*64 + 64*32 + 32*10) = 8832 per example
    static final double FD = 8832;
    static final int N = SyntheticData.TRAIN_SIZE;

    static RunProvenance run(String sparsity, int epochs) {
        return MoreMethodsTest.train(sparsity, epochs).result().provenance();
    }

    @Test
    void aDenseRunCostsThreeForwardPassesPerExample() {
        RunProvenance p = run("{\"method\": \"dense\"}", 2);
        assertThat(p.trainingFlops()).isEqualTo(3 * FD * N * 2);
        assertThat(p.denseTrainingFlops()).isEqualTo(3 * FD * N * 2);
    }

    @Test
    void aStaticMaskCostsItsDensity() {
        RunProvenance p = run("{\"method\": \"random\", \"target\": 0.75}", 1);
        // exactly round(0.75 * 4416) = 3312 zeros: f_S = 2 * (4416 - 3312) = 2208
        assertThat(p.trainingFlops()).isEqualTo(3 * 2208.0 * N);
        assertThat(p.trainingFlops() / p.denseTrainingFlops()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void oneShotPruningPaysDenseUntilItPrunes() {
        RunProvenance p = run("{\"method\": \"magnitude\", \"target\": 0.75, \"finetuneEpochs\": 1}", 2);
        assertThat(p.trainingFlops()).isEqualTo(3 * FD * N * 2 + 3 * 2208.0 * N);
        assertThat(p.trainingFlops() / p.denseTrainingFlops()).isCloseTo(1.125, within(1e-12));
    }

    @Test
    void rigLPaysDenseWeightGradientsAtItsUpdateSteps() {
        // deltaT 20 over 63 steps/epoch, 1 epoch: T_end = floor(0.75 * 63) = 47, updates at steps 20 and 40,
        // each with a full batch of 64; RigL keeps the number of non-zeros
        RunProvenance p = run("{\"method\": \"rigl\", \"target\": 0.75, \"deltaT\": 20, \"distribution\": \"uniform\"}",
                1);
        double fs = 2208;
        assertThat(p.trainingFlops()).isEqualTo(3 * fs * N + 2 * 64 * (FD - fs));
    }
}
