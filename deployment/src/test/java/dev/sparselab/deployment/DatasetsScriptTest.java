package dev.sparselab.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** k8s/base/datasets/fetch-datasets.sh, which fills the datasets volume (compose service, Kubernetes Job). */
class DatasetsScriptTest {
    static final String SCRIPT = "k8s/base/datasets/fetch-datasets.sh";
    static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");
    static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    @TempDir
    Path dir;

    Repo.Result fetch(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPT));
        command.addAll(List.of(args));
        return Repo.run(command, "DATASETS_DIR", dir.toString(), "SOURCE_DIR", DEBIAN.toString(),
                // nothing listens there: a download attempt fails at once
                "FASHION_MNIST_URL", "http://127.0.0.1:9");
    }

    @Test
    void copiesVerifiesAndThenHasNothingToDo() throws IOException {
        assertThat(DEBIAN).as("Debian's dataset-fashion-mnist (installed by .ci/run)").isDirectory();
        Repo.Result first = fetch();
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("copying train-images-idx3-ubyte.gz").endsWith("complete in " + dir
                + "/fashion-mnist\n");
        for (String f : FILES) {
            assertThat(Files.mismatch(DEBIAN.resolve(f), dir.resolve("fashion-mnist").resolve(f))).isEqualTo(-1L);
        }
        Repo.Result again = fetch();
        assertThat(again.status()).isZero();
        assertThat(again.out()).doesNotContain("copying");
        assertThat(fetch("--check").status()).isZero();
    }

    @Test
    void theCheckNamesWhatIsMissingOrDamaged() throws IOException {
        assertThat(fetch().status()).isZero();
        Path mnist = dir.resolve("fashion-mnist");
        Files.delete(mnist.resolve("train-images-idx3-ubyte.gz"));
        Files.writeString(mnist.resolve("t10k-labels-idx1-ubyte.gz"), "not gzip");
        Repo.Result check = fetch("--check");
        assertThat(check.status()).isEqualTo(1);
        assertThat(check.err().lines()).contains(mnist.resolve("train-images-idx3-ubyte.gz") + " (missing)",
                mnist.resolve("t10k-labels-idx1-ubyte.gz") + " (damaged)");
        // a fetch repairs both from the source
        assertThat(fetch().status()).isZero();
        assertThat(fetch("--check").status()).isZero();
    }

    @Test
    void withoutASourceAndWithoutTheNetworkItFailsSayingWhatIsMissing() {
        Repo.Result r = Repo.run(List.of("sh", SCRIPT), "DATASETS_DIR", dir.toString(), "SOURCE_DIR", "",
                "FASHION_MNIST_URL", "http://127.0.0.1:9");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("could not download http://127.0.0.1:9/train-images-idx3-ubyte.gz")
                .contains(dir.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz") + " (missing)")
                .contains("Set SOURCE_DIR");
    }
}
