package dev.sparselab.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineCheckTest {
    @Test
    void reportsTheEngineTheImagesShip() {
        // the pom pins PyTorch 2.7.1; the container images run this check at build time
        assertThat(EngineCheck.check()).startsWith("engine PyTorch 2.7.1, device ").contains("GPUs ");
    }
}
