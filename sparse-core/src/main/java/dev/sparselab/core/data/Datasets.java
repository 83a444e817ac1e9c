package dev.sparselab.core.data;

import dev.sparselab.contracts.spec.DatasetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Resolves a {@link DatasetSpec} to train and test splits. */
public final class Datasets {
    private Datasets() {
    }

    public static Dataset load(DatasetSpec spec, long seed, Path datasetsDir, boolean train) {
        Dataset full = switch (spec.name()) {
            case DatasetSpec.FASHION_MNIST -> FashionMnist.load(datasetsDir, train);
            case DatasetSpec.SYNTHETIC -> SyntheticData.generate(seed, train);
            default -> throw new DatasetUnavailableException("unknown dataset '" + spec.name() + "'");
        };
        Integer limit = train ? spec.trainSubset() : spec.testSubset();
        return limit == null || limit >= full.size() ? full : balancedSubset(full, limit, seed);
    }

    /**
     * A seeded subset with (as far as the classes allow) the same number of examples per class, in a
     * shuffled order that depends only on the seed.
     */
    public static Dataset balancedSubset(Dataset d, int size, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < d.classes(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < d.size(); i++) {
            byClass.get(d.labels()[i]).add(i);
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5EEDL);
        for (List<Integer> idx : byClass) {
            for (int i = idx.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                idx.set(i, idx.set(j, idx.get(i)));
            }
        }
        int[] picked = new int[size];
        int k = 0;
        for (int round = 0; k < size; round++) {
            for (int c = 0; c < d.classes() && k < size; c++) {
                if (round < byClass.get(c).size()) {
                    picked[k++] = byClass.get(c).get(round);
                }
            }
        }
        int f = d.featureDim();
        float[] x = new float[size * f];
        int[] y = new int[size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(d.features(), picked[i] * f, x, i * f, f);
            y[i] = d.labels()[picked[i]];
        }
        return new Dataset(d.name() + "[" + size + "]", x, y, f, d.classes(), d.hash());
    }
}
