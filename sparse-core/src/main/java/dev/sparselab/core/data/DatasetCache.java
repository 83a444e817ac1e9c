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
    /** Where char-lm texts are read from unless configured: Debian's {@code fortunes} package. */
    public static final Path DEFAULT_TEXT_DIR = Path.of("/usr/share/games/fortunes");
    private final Path datasetsDir;
    private final Path textDir;
    private final Map<String, Dataset> full = new ConcurrentHashMap<>();
    private final Map<String, TokenData> tokens = new ConcurrentHashMap<>();

    public DatasetCache(Path datasetsDir) {
        this(datasetsDir, DEFAULT_TEXT_DIR);
    }

    public DatasetCache(Path datasetsDir, Path textDir) {
        this.datasetsDir = datasetsDir;
        this.textDir = textDir == null ? DEFAULT_TEXT_DIR : textDir;
    }

    public Path textDir() {
        return textDir;
    }

    /** A split of token data for sequences of {@code length} positions (the model's context). */
    public TokenData tokens(DatasetSpec spec, int length, long seed, boolean train) {
        String key = spec.path() + "/" + length + "/" + (train ? "train" : "test");
        if (DatasetSpec.CHAR_LM.equals(spec.name())) {
            TokenData all = tokens.computeIfAbsent(key,
                    k -> CharLm.load(textDir, spec.path(), length, train, null, seed));
            Integer limit = train ? spec.trainSubset() : spec.testSubset();
            return limit == null || limit >= all.size() ? all
                    : CharLm.load(textDir, spec.path(), length, train, limit, seed);
        }
        if (DatasetSpec.ASSOCIATIVE_RECALL.equals(spec.name())) {
            return AssociativeRecall.generate(spec, length, seed, train); // cheap, and different per seed
        }
        throw new DatasetUnavailableException("'" + spec.name() + "' is not token data");
    }

    /** The split a run of {@code spec} trains on ({@code train}) or is tested on: token sequences or examples. */
    public TrainingData forSpec(dev.sparselab.contracts.spec.ExperimentSpec spec, boolean train) {
        long seed = spec.training().seed();
        return spec.dataset().tokens() ? tokens(spec.dataset(), spec.model().context(), seed, train)
                : get(spec.dataset(), seed, train);
    }

    public Path datasetsDir() {
        return datasetsDir;
    }

    public Dataset get(DatasetSpec spec, long seed, boolean train) {
        // synthetic data is generated from the seed; real data is the same for every seed
        String key = spec.name() + "/" + (train ? "train" : "test")
                + (DatasetSpec.SYNTHETIC.equals(spec.name()) ? "/" + seed : "");
        Dataset loaded = full.computeIfAbsent(key,
                k -> Datasets.load(new DatasetSpec(spec.name(), null, null), seed, datasetsDir, train));
        Dataset d = loaded;
        if (spec.normalize() != null) {
            // the training split's statistics, loaded first (no nested update of the map)
            Dataset trainSplit = train ? loaded : get(new DatasetSpec(spec.name(), null, null), seed, true);
            d = full.computeIfAbsent(key + "/" + spec.normalize(),
                    k -> Normalization.apply(spec.normalize(), loaded, trainSplit));
        }
        Integer limit = train ? spec.trainSubset() : spec.testSubset();
        return limit == null || limit >= d.size() ? d : Datasets.balancedSubset(d, limit, seed);
    }
}
