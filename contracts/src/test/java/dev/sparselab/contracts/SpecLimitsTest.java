package dev.sparselab.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sparselab.contracts.spec.FieldError;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.ModelSize;
import dev.sparselab.contracts.spec.SpecParser;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What one submission may ask for: runs per sweep, epochs, model size, each refused with its field. */
class SpecLimitsTest {
    final SpecParser parser = new SpecParser();

    static String spec(String dataset, String model, String extra) {
        return """
                {"name": "x", "dataset": {"name": "%s"}, "model": %s,
                 "training": {"epochs": 1}, "sparsity": {"method": "dense"}%s}""".formatted(dataset, model, extra);
    }

    @Test
    void modelSizesAreCountedFromTheSpec() {
        // LeNet-300-100 on 28x28 inputs: 784*300+300 + 300*100+100 + 100*10+10
        assertThat(ModelSize.parameters(parser.parse(spec("fashion-mnist",
                "{\"type\": \"mlp\", \"hidden\": [300, 100]}", ""), false))).isEqualTo(266_610);
        // LeNet-5 (padded first conv): the classic 61,706
        assertThat(ModelSize.parameters(parser.parse(spec("fashion-mnist", "{\"type\": \"lenet5\"}", ""), false)))
                .isEqualTo(61_706);
        // a cnn: conv 8 3x3 (28 -> 26), pool 2 (-> 13), linear 10 ... : 8*9+8 + 8*13*13*10+10 + 10*10+10
        assertThat(ModelSize.parameters(parser.parse(spec("fashion-mnist", """
                {"type": "cnn", "layers": [{"type": "conv", "channels": 8, "kernel": 3}, {"type": "pool", "size": 2},
                  {"type": "linear", "units": 10}]}""", ""), false))).isEqualTo(80 + 13_530 + 110);
    }

    @Test
    void aModelAboveTheLimitIsRefusedAtItsField() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan(spec("fashion-mnist",
                "{\"type\": \"mlp\", \"hidden\": [65536, 65536]}", ""), false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/model");
        assertThat(e.errors().get(0).message()).contains("at most " + SpecParser.MAX_PARAMETERS);
        // in a sweep: at the grid axis that makes it too big
        InvalidSpecException grid = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan(spec(
                "fashion-mnist", "{\"type\": \"mlp\", \"hidden\": [100]}",
                ", \"sweep\": {\"grid\": {\"model.hidden\": [[100], [65536, 65536]]}}"), false));
        assertThat(grid.errors()).extracting(FieldError::pointer).containsExactly("/sweep/grid/model.hidden");
    }

    @Test
    void aHugeGridIsRefusedBeforeItIsExpanded() {
        // 6 axes of 50 values: 15,625,000,000 grid points, refused without expanding one
        String values = IntStream.range(1, 51).mapToObj(Integer::toString).collect(Collectors.joining(","));
        String axes = java.util.List.of("training.seed", "training.batchSize", "training.epochs", "sparsity.target",
                        "training.checkpointEvery", "sparsity.seed").stream()
                .map(a -> "\"" + a + "\": [" + values + "]").collect(Collectors.joining(","));
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan(spec(
                "synthetic", "{\"type\": \"mlp\", \"hidden\": [8]}", ", \"sweep\": {\"grid\": {" + axes + "}}"),
                false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/sweep");
        assertThat(e.errors().get(0).message()).contains("at most " + SpecParser.MAX_RUNS);
    }

    @Test
    void epochsAboveTheLimitAreRefused() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan(spec(
                "synthetic", "{\"type\": \"mlp\", \"hidden\": [8]}", "").replace("\"epochs\": 1", "\"epochs\": 100000"),
                false));
        assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/training/epochs");
    }

    @Test
    void numbersNoFieldAcceptsAreRefusedNotCrashed() {
        for (String number : new String[]{"1e300", "-1e300", "1e400", "99999999999999999999999999"}) {
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan(spec(
                    "synthetic", "{\"type\": \"mlp\", \"hidden\": [8]}", "")
                    .replace("\"epochs\": 1", "\"epochs\": " + number), false));
            assertThat(e.errors()).as(number).extracting(FieldError::pointer).containsExactly("/training/epochs");
        }
    }

    @Test
    void yamlWithEmojiOnTheScannersBufferBoundaryIsRead() {
        // snakeyaml-engine 3.0.1 threw IndexOutOfBoundsException when an emoji fell on its 1024-character buffer
        // boundary (10 of these 40 offsets); 3.2 reads them all: the spec is then judged on its fields
        for (int pad = 1000; pad < 1040; pad++) {
            String yaml = "name: " + "x".repeat(pad) + "😀".repeat(300) + "\n";
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> parser.plan(yaml, true));
            assertThat(e.errors()).as("offset %d", pad).extracting(FieldError::pointer).doesNotContain("");
        }
    }
}
