package dev.sparselab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sparselab.contracts.spec.DatasetSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetUnavailableException;
import dev.sparselab.core.data.Datasets;
import dev.sparselab.core.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    static final Path INSTALLED = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));

    @Test
    void missingFilesAreNamedWithTheFix(@TempDir Path empty) throws Exception {
        Files.createDirectories(empty.resolve("fashion-mnist"));
        Files.write(empty.resolve("fashion-mnist/train-images-idx3-ubyte.gz"), new byte[0]);
        assertThatThrownBy(() -> FashionMnist.load(empty, true))
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("train-labels-idx1-ubyte.gz")
                .hasMessageContaining("t10k-images-idx3-ubyte.gz")
                .hasMessageContaining("t10k-labels-idx1-ubyte.gz")
                .hasMessageNotContaining("missing train-images")
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void readsTheDebianPackage() {
        Required.that(Files.isDirectory(INSTALLED.resolve("fashion-mnist")), "dataset-fashion-mnist not installed");
        Dataset test = FashionMnist.load(INSTALLED, false);
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.featureDim()).isEqualTo(784);
        int[] perClass = new int[10];
        for (int y : test.labels()) {
            perClass[y]++;
        }
        assertThat(perClass).containsOnly(1000);
        double mean = 0;
        for (float v : test.features()) {
            mean += v;
        }
        assertThat(mean / test.features().length).isBetween(-0.05, 0.05);

        Dataset subset = Datasets.load(new DatasetSpec(DatasetSpec.FASHION_MNIST, null, 500), 3, INSTALLED, false);
        int[] counts = new int[10];
        Arrays.stream(subset.labels()).forEach(y -> counts[y]++);
        assertThat(counts).containsOnly(50);
        assertThat(Datasets.load(new DatasetSpec(DatasetSpec.FASHION_MNIST, null, 500), 3, INSTALLED, false).labels())
                .containsExactly(subset.labels());
    }
}
