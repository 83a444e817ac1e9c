package dev.sparselab.core.data;

import dev.sparselab.contracts.spec.DatasetSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps loaded splits in memory so that a service reads Fashion-MNIST from disk once, not per run.
 * Subsets are cut from the cached full split per call (they depend on the run's seed). Thread-safe.
 */
public final class DatasetCache {
    private final Path datasetsDir;
    private final Map<String, Dataset> full = new ConcurrentHashMap<>();

    public DatasetCache(Path datasetsDir) {
        this.datasetsDir = datasetsDir;
    }

    public Path datasetsDir() {
        return datasetsDir;
    }

    public Dataset get(DatasetSpec spec, long seed, boolean train) {
        // synthetic data is generated from the seed; real data is the same for every seed
        String key = spec.name() + "/" + (train ? "train" : "test")
                + (DatasetSpec.SYNTHETIC.equals(spec.name()) ? "/" + seed : "");
        Dataset d = full.computeIfAbsent(key,
                k -> Datasets.load(new DatasetSpec(spec.name(), null, null), seed, datasetsDir, train));
        Integer limit = train ? spec.trainSubset() : spec.testSubset();
        return limit == null || limit >= d.size() ? d : Datasets.balancedSubset(d, limit, seed);
    }
}
