package dev.sparselab.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Character-level language modelling over a text file, byte by byte (vocabulary 256, so bits per byte;
 * for ASCII text that is bits per character). The first 90 % of the file trains, the last 10 % tests; each
 * split is cut into non-overlapping windows of {@code length + 1} bytes (inputs and next-byte targets).
 */
public final class CharLm {
    private CharLm() {
    }

    public static TokenData load(Path textDir, String path, int length, boolean train, Integer limit, long seed) {
        Path file = textDir.resolve(path).normalize();
        if (!file.startsWith(textDir.normalize())) {
            throw new DatasetUnavailableException("char-lm path '" + path + "' leaves the text directory");
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetUnavailableException("char-lm text '" + path + "' is missing: no file " + file
                    + " (the default text comes from Debian's package 'fortunes'; install it, or point"
                    + " sparselab.text-dir / SPARSELAB_TEXT_DIR at a directory holding the file)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetUnavailableException("cannot read char-lm text " + file + ": " + e.getMessage(), e);
        }
        int cut = (int) (bytes.length * 0.9);
        int from = train ? 0 : cut;
        int to = train ? cut : bytes.length;
        int windows = (to - from - 1) / length;
        if (windows < 1) {
            throw new DatasetUnavailableException("char-lm text " + file + " has " + bytes.length
                    + " bytes: too short for one " + (train ? "training" : "test") + " window of " + (length + 1));
        }
        int[] inputs = new int[windows * length];
        int[] targets = new int[inputs.length];
        float[] weights = new float[inputs.length];
        for (int w = 0; w < windows; w++) {
            for (int i = 0; i < length; i++) {
                int at = from + w * length + i;
                inputs[w * length + i] = bytes[at] & 0xff;
                targets[w * length + i] = bytes[at + 1] & 0xff;
                weights[w * length + i] = 1f;
            }
        }
        String hash = dev.sparselab.contracts.artifact.ModelArtifact.sha256(bytes);
        TokenData all = new TokenData("char-lm/" + path + "/" + (train ? "train" : "test"), inputs, targets,
                weights, length, 256, TokenData.count(inputs, 256), hash);
        if (limit == null || limit >= windows) {
            return all;
        }
        // a seeded choice of windows, in a seeded order
        int[] order = Shuffle.permutation(windows, new SplittableRandom(seed ^ 0xC4A7L));
        return all.subset(java.util.Arrays.copyOf(order, limit), "[" + limit + "]");
    }
}
