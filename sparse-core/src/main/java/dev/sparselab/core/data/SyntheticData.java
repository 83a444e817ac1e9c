package dev.sparselab.core.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A seeded Gaussian-mixture classification problem that needs no files: {@value #CLASSES} classes in
 * {@value #FEATURES} dimensions, class centres drawn from N(0, {@value #CENTRE_SCALE}²), examples =
 * centre + N(0, 1). Separable enough that a small MLP reaches high accuracy in one epoch; train and
 * test splits of the same seed share the centres.
 */
public final class SyntheticData {
    public static final int FEATURES = 32;
    public static final int CLASSES = 10;
    public static final int TRAIN_SIZE = 4000;
    public static final int TEST_SIZE = 1000;
    static final double CENTRE_SCALE = 1.0;

    private SyntheticData() {
    }

    public static Dataset generate(long seed, boolean train) {
        SplittableRandom root = new SplittableRandom(seed);
        float[] centres = new float[CLASSES * FEATURES];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) (gaussian(root) * CENTRE_SCALE);
        }
        SplittableRandom trainRng = root.split();
        SplittableRandom testRng = root.split();
        SplittableRandom rng = train ? trainRng : testRng;
        int n = train ? TRAIN_SIZE : TEST_SIZE;
        float[] x = new float[n * FEATURES];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            y[i] = c;
            for (int j = 0; j < FEATURES; j++) {
                x[i * FEATURES + j] = centres[c * FEATURES + j] + (float) gaussian(rng);
            }
        }
        return new Dataset("synthetic/" + (train ? "train" : "test"), x, y, FEATURES, CLASSES, hash(seed));
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static String hash(long seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("synthetic-v1:" + FEATURES + ":" + CLASSES + ":" + CENTRE_SCALE).getBytes());
            sha.update(ByteBuffer.allocate(8).putLong(seed).array());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
