package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.ImpSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Iterative magnitude pruning with rewinding (Frankle &amp; Carbin; Frankle et al. for rewinding). The run
 * trains {@code epochs}, then for rounds r = 1..R: prunes globally (over the non-dense layers) to
 * s_r = 1 - (1 - rate)^r (the last round exactly to the target), resets the surviving weights and all
 * biases to their values at {@code rewindStep}, forgets the optimizer state, and trains {@code epochs}
 * again. R = ceil(log(1 - S) / log(1 - rate)).
 */
final class IterativeMagnitudePruning implements SparsityMethod {
    private final ImpSpec spec;
    private final int rounds;
    private final Map<String, float[]> savedWeights = new LinkedHashMap<>();
    private final Map<String, float[]> savedBiases = new LinkedHashMap<>();
    private int round;
    private int epochsPerRound;

    IterativeMagnitudePruning(ImpSpec spec, int epochsPerRound) {
        this.spec = spec;
        this.epochsPerRound = epochsPerRound;
        this.rounds = spec.rounds();
    }

    int rounds() {
        return rounds;
    }

    /** The sparsity after round r. */
    double sparsityAfter(int r) {
        return r >= rounds ? spec.target() : 1 - Math.pow(1 - spec.rate(), r);
    }

    @Override
    public int extraEpochs() {
        return rounds * epochsPerRound;
    }

    /** The 0-based round run step {@code step} (1-based) belongs to. */
    private long roundOf(long step, long trainSteps) {
        return Math.min(rounds, (step - 1) / Math.max(1, trainSteps));
    }

    /**
     * Every round reruns the learning-rate schedule from the rewind point, as the lottery-ticket code trains each
     * level from the rewind iteration: round r at step s is at schedule step rewindStep + (s - r T). A round
     * trains T steps (as many as the dense round), so with a late rewind its last rewindStep steps stay at the
     * schedule's end (the reference trains T - rewindStep steps per level).
     */
    @Override
    public long scheduleStep(long step, long trainSteps) {
        long r = roundOf(step, trainSteps);
        return r == 0 ? step : Math.min(trainSteps, spec.rewindStep() + (step - r * trainSteps));
    }

    /** The optimizer state is reset at every rewind: Adam's bias correction counts from there. */
    @Override
    public long optimizerStateStep(long step, long trainSteps) {
        long r = roundOf(step, trainSteps);
        return r == 0 ? step : step - r * trainSteps;
    }

    /** One pass of the schedule is one round (the training phase), not all rounds together. */
    @Override
    public long scheduleLength(long trainSteps, long allSteps) {
        return trainSteps;
    }

    @Override
    public String extraPhase() {
        return "retrain";
    }

    private void save(SparseState state) {
        for (LayerShape l : state.shapes()) {
            savedWeights.put(l.name(), state.weights(l.name()));
            savedBiases.put(l.name(), state.biases(l.name()));
        }
    }

    @Override
    public Map<String, float[]> saveState() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("round", new float[]{round});
        savedWeights.forEach((k, v) -> out.put("rewind.weight." + k, v));
        savedBiases.forEach((k, v) -> out.put("rewind.bias." + k, v));
        return out;
    }

    @Override
    public void restoreState(Map<String, float[]> saved) {
        round = (int) saved.get("round")[0];
        savedWeights.clear();
        savedBiases.clear();
        saved.forEach((k, v) -> {
            if (k.startsWith("rewind.weight.")) {
                savedWeights.put(k.substring("rewind.weight.".length()), v);
            } else if (k.startsWith("rewind.bias.")) {
                savedBiases.put(k.substring("rewind.bias.".length()), v);
            }
        });
    }

    @Override
    public void init(SparseState state) {
        if (spec.rewindStep() == 0) {
            save(state);
        }
    }

    @Override
    public void afterUpdate(SparseState state, long step, int epoch) {
        if (step == spec.rewindStep() && savedWeights.isEmpty()) {
            save(state);
        }
    }

    @Override
    public void afterEpoch(SparseState state, long step, int epoch, int epochs) {
        if (epoch % epochsPerRound != 0 || round >= rounds) {
            return;
        }
        round++;
        double s = sparsityAfter(round);
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (LayerShape l : state.sparseShapes()) {
            scores.put(l.name(), Masks.magnitudeScores(state.weights(l.name()), state.mask(l.name())));
        }
        long total = state.sparseShapes().stream().mapToLong(LayerShape::count).sum();
        Map<String, float[]> masks = new LinkedHashMap<>();
        Masks.keepLargestGlobally(scores, Math.round(s * total), masks);
        state.updateMasks(masks, step, epoch);
        if (savedWeights.isEmpty()) {
            throw new IllegalStateException("imp: rewindStep " + spec.rewindStep() + " lies beyond the first round");
        }
        for (LayerShape l : state.shapes()) {
            float[] w = savedWeights.get(l.name()).clone();
            float[] m = state.mask(l.name());
            if (m != null) {
                for (int i = 0; i < w.length; i++) {
                    w[i] *= m[i];
                }
            }
            state.setWeights(l.name(), w);
            state.setBiases(l.name(), savedBiases.get(l.name()));
        }
        state.resetOptimizer();
        state.report(List.of(new MetricPoint("imp.round", step, epoch, round),
                new MetricPoint("prune.sparsity", step, epoch, state.maskSparsity())));
    }
}
