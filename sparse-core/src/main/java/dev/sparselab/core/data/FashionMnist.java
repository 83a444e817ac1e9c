package dev.sparselab.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads Fashion-MNIST from the IDX files that Debian's {@code dataset-fashion-mnist} package installs
 * ({@code /usr/share/datasets/fashion-mnist/*.gz}); plain (gunzipped) files are accepted too.
 * Pixels are scaled to [0, 1] and standardized with the training set's mean and std.
 */
public final class FashionMnist {
    public static final String DIR_NAME = "fashion-mnist";
    static final float MEAN = 0.2860f;
    static final float STD = 0.3530f;
    private static final String[] FILES = {
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private FashionMnist() {
    }

    /**
     * Loads one split.
     *
     * @param datasetsDir the folder that holds {@code fashion-mnist/} (e.g. {@code /usr/share/datasets})
     * @param train       the 60,000-example training split, else the 10,000-example test split
     * @throws DatasetUnavailableException naming every missing file and how to install them
     */
    public static Dataset load(Path datasetsDir, boolean train) {
        Path dir = datasetsDir.resolve(DIR_NAME);
        List<String> missing = new ArrayList<>();
        for (String f : FILES) {
            if (resolve(dir, f) == null) {
                missing.add(f + ".gz");
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetUnavailableException("Fashion-MNIST is not installed: missing " + String.join(", ", missing)
                    + " in " + dir.toAbsolutePath() + ". Install it with 'sudo apt-get install dataset-fashion-mnist'"
                    + " (files land in /usr/share/datasets/fashion-mnist), or copy the four IDX files there and point"
                    + " SPARSELAB_DATASETS_DIR (property sparselab.datasets.dir) at the folder that contains fashion-mnist/.");
        }
        String prefix = train ? "train" : "t10k";
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            float[] images = readImages(resolve(dir, prefix + "-images-idx3-ubyte"), sha);
            int[] labels = readLabels(resolve(dir, prefix + "-labels-idx1-ubyte"), sha);
            return new Dataset(DIR_NAME + "/" + (train ? "train" : "test"), images, labels, 28 * 28, 10,
                    HexFormat.of().formatHex(sha.digest()));
        } catch (IOException e) {
            throw new DatasetUnavailableException("cannot read Fashion-MNIST in " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path resolve(Path dir, String base) {
        for (String name : new String[]{base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static DataInputStream open(Path p, MessageDigest sha) throws IOException {
        InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16), sha);
        if (p.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    static float[] readImages(Path p, MessageDigest sha) throws IOException {
        try (DataInputStream in = open(p, sha)) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new IOException(p + " is not an IDX image file (magic " + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] raw = new byte[n * rows * cols];
            in.readFully(raw);
            float[] out = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                out[i] = ((raw[i] & 0xff) / 255f - MEAN) / STD;
            }
            return out;
        }
    }

    static int[] readLabels(Path p, MessageDigest sha) throws IOException {
        try (DataInputStream in = open(p, sha)) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new IOException(p + " is not an IDX label file (magic " + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            byte[] raw = new byte[n];
            in.readFully(raw);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = raw[i] & 0xff;
            }
            return out;
        }
    }
}
