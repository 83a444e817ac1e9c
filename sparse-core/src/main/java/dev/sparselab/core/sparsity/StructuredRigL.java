package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.spec.SriglSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Structured RigL (Lasby et al., "Dynamic Sparse Training with Structured Sparsity"), as its reference code
 * ({@code rigl_torch/rigl_constant_fan.py} in calgaryml/condensed-sparsity, with its default configuration) does
 * it: RigL with a constant fan-in and neuron ablation. The initial mask gives every output neuron the same number
 * of connections, at random. At every update (RigL's schedule, drop fraction alpha_t):
 * <ol>
 *   <li><b>Saliency.</b> A weight is salient when it is among the layer's n_keep = n - int(alpha_t * n) largest
 *       |W| or among its int(alpha_t * n) largest |dense gradient| (the union: what RigL would keep or grow).</li>
 *   <li><b>Ablation</b> (not the output layer). Neurons are ranked by their count of salient weights; those with
 *       fewer than max(1, int(gammaSal * the constant fan-in before ablation)) are ablated, least salient first,
 *       but at least floor(target connections / dense fan-in) + 1 neurons stay (the reference's floor: the
 *       threshold drops to the count of the neuron at that rank). Ablation is decided afresh at every update, so
 *       a neuron whose gradient becomes salient again comes back.</li>
 *   <li><b>Drop</b> layer-wide: the n_keep largest |W| outside ablated neurons are kept, then each neuron is cut
 *       to the common fan-in (its smallest |W| go).</li>
 *   <li><b>Grow</b> per live neuron: up to the common fan-in, by largest |dense gradient| among the positions not
 *       kept (a just-dropped one included). New connections start at 0; one dropped and regrown keeps its value.</li>
 * </ol>
 * The common fan-in is the layer's target connections (from the distribution) over its live neurons.
 * Where we differ, on purpose: the fan-in is rounded (the reference floors it), so the overall sparsity stays at
 * the target within half a connection per live row; an ablated neuron's bias is held at zero while it is ablated
 * (the reference leaves it trainable, a constant input to the next layer), so the condensed model drops the row
 * exactly; the per-neuron cut after the layer-wide drop removes the smallest |W| (the reference's sort of a
 * boolean mask leaves the choice to the sort).
 */
public final class StructuredRigL implements SparsityMethod {
    private final SriglSpec spec;
    private final StepRandom rng;
    private final Map<String, float[]> alive = new LinkedHashMap<>();

    StructuredRigL(SriglSpec spec, StepRandom rng) {
        this.spec = spec;
        this.rng = rng;
    }

    /** T_end: the step at which updates stop (also the sparse engine's). */
    public static long endStep(SriglSpec spec, long trainSteps) {
        return (long) Math.floor(spec.stopFraction() * trainSteps);
    }

    /** Whether SRigL updates the structure at step {@code t} (also the sparse engine's). */
    public static boolean isUpdateStep(SriglSpec spec, long t, long tEnd) {
        return t % spec.deltaT() == 0 && t < tEnd;
    }

    @Override
    public Map<String, float[]> saveState() {
        Map<String, float[]> out = new LinkedHashMap<>();
        alive.forEach((k, v) -> out.put("alive." + k, v.clone()));
        return out;
    }

    @Override
    public void restoreState(Map<String, float[]> saved) {
        saved.forEach((k, v) -> alive.put(k.substring("alive.".length()), v.clone()));
    }

    @Override
    public void init(SparseState state) {
        Map<String, Integer> zeros = Distributions.zeros(state.shapes(), spec.target(), spec.distribution(),
                state.denseLayers());
        Map<String, float[]> masks = new LinkedHashMap<>();
        SplittableRandom initRng = rng.at(0);
        for (LayerShape l : state.sparseShapes()) {
            int out = l.out();
            int in = l.fanIn();
            int fanIn = Math.max(1, (int) Math.round((double) (l.count() - zeros.get(l.name())) / out));
            float[] mask = new float[l.count()];
            for (int r = 0; r < out; r++) {
                float[] row = Masks.random(in, in - fanIn, initRng);
                System.arraycopy(row, 0, mask, r * in, in);
            }
            masks.put(l.name(), mask);
            alive.put(l.name(), Masks.ones(out));
        }
        state.updateMasks(masks, 0, 0);
    }

    @Override
    public void beforeUpdate(SparseState state, long step, int epoch) {
        long tEnd = endStep(spec, state.trainSteps());
        if (!isUpdateStep(spec, step, tEnd)) {
            return;
        }
        double alphaT = RigL.alphaAt(spec.alpha(), step, tEnd);
        state.chargeDenseGradient();
        Map<String, Integer> zeros = Distributions.zeros(state.shapes(), spec.target(), spec.distribution(),
                state.denseLayers());
        String last = state.shapes().get(state.shapes().size() - 1).name();
        Map<String, float[]> next = new LinkedHashMap<>();
        Map<String, float[]> biasMasks = new LinkedHashMap<>();
        List<MetricPoint> points = new ArrayList<>();
        for (LayerShape l : state.sparseShapes()) {
            float[] w = state.weights(l.name());
            Update u = update(w, state.gradient(l.name()), state.mask(l.name()), l.out(), l.fanIn(),
                    l.count() - zeros.get(l.name()), alphaT, l.name().equals(last) ? -1 : spec.gammaSal());
            state.setWeights(l.name(), u.weights());
            next.put(l.name(), u.mask());
            alive.put(l.name(), u.live());
            biasMasks.put(l.name(), u.live().clone());
            points.add(new MetricPoint("srigl." + l.name() + ".neurons", step, epoch,
                    l.out() - Masks.countZeros(u.live())));
            points.add(new MetricPoint("srigl." + l.name() + ".fanIn", step, epoch, u.fanIn()));
        }
        state.updateMasks(next, step, epoch);
        state.updateBiasMasks(biasMasks);
        state.report(points);
    }

    /** One layer after an update: its mask, weights (new connections at 0), live neurons and common fan-in. */
    public record Update(float[] mask, float[] weights, float[] live, int fanIn) {
    }

    /**
     * One update of a layer [out, in] with {@code targetActive} connections; {@code gammaSal} negative: no
     * ablation (the output layer).
     */
    public static Update update(float[] w, float[] g, float[] mask, int out, int in, int targetActive, double alphaT,
                         double gammaSal) {
        int n = out * in;
        int ones = n - Masks.countZeros(mask);
        int prune = (int) (ones * alphaT);
        int keepCount = ones - prune;
        int nonZero = n - Masks.countZeros(w);
        if (nonZero < keepCount) {
            keepCount = nonZero;
            prune = ones - keepCount;
        }
        float[] live = Masks.ones(out);
        if (gammaSal >= 0) {
            for (int r : neuronsToAblate(w, g, mask, out, in, targetActive, keepCount, prune, gammaSal)) {
                live[r] = 0f;
            }
        }
        int rows = out - Masks.countZeros(live);
        int fanIn = Math.max(1, Math.min(in, (int) Math.round((double) targetActive / rows)));
        // drop: the keepCount largest |W| outside ablated neurons, then each neuron cut to the fan-in
        float[] dropScores = Masks.magnitudeScores(w, mask);
        for (int r = 0; r < out; r++) {
            if (live[r] == 0f) {
                Arrays.fill(dropScores, r * in, (r + 1) * in, -2f);
            }
        }
        float[] kept = Masks.keepLargest(dropScores, n - keepCount);
        float[] nextMask = new float[n];
        float[] nextWeights = w.clone();
        for (int r = 0; r < out; r++) {
            if (live[r] == 0f) {
                Arrays.fill(nextWeights, r * in, (r + 1) * in, 0f);
                continue;
            }
            float[] row = new float[in];
            for (int c = 0; c < in; c++) {
                row[c] = kept[r * in + c] != 0f ? Math.abs(w[r * in + c]) : -1f;
            }
            int inRow = in - Masks.countZeros(Arrays.copyOfRange(kept, r * in, (r + 1) * in));
            float[] rowKept = Masks.keepLargest(row, in - Math.min(inRow, fanIn));
            // grow: to the fan-in, by |gradient| among the positions not kept
            float[] grow = new float[in];
            for (int c = 0; c < in; c++) {
                grow[c] = rowKept[c] != 0f ? -1f : Math.abs(g[r * in + c]);
            }
            float[] grown = Masks.keepLargest(grow, in - (fanIn - Math.min(inRow, fanIn)));
            for (int c = 0; c < in; c++) {
                int i = r * in + c;
                if (rowKept[c] != 0f) {
                    nextMask[i] = 1f;
                } else if (grown[c] != 0f) {
                    nextMask[i] = 1f;
                    if (mask[i] == 0f) {
                        nextWeights[i] = 0f; // a new connection starts at 0
                    }
                } else {
                    nextWeights[i] = 0f;
                }
            }
        }
        return new Update(nextMask, nextWeights, live, fanIn);
    }

    /**
     * The neurons to ablate: ranked by salient weights (the union of the keepCount largest |W| and the prune
     * largest |gradient|), those under max(1, int(gammaSal * fan-in before ablation)), keeping at least
     * floor(targetActive / in) + 1.
     */
    static List<Integer> neuronsToAblate(float[] w, float[] g, float[] mask, int out, int in, int targetActive,
                                         int keepCount, int prune, double gammaSal) {
        int n = out * in;
        float[] byWeight = Masks.keepLargest(Masks.magnitudeScores(w, null), n - keepCount);
        float[] absG = new float[n];
        for (int i = 0; i < n; i++) {
            absG[i] = Math.abs(g[i]);
        }
        float[] byGradient = Masks.keepLargest(absG, n - prune);
        Integer[] order = new Integer[out];
        int[] salient = new int[out];
        for (int r = 0; r < out; r++) {
            order[r] = r;
            for (int c = 0; c < in; c++) {
                if (byWeight[r * in + c] != 0f || byGradient[r * in + c] != 0f) {
                    salient[r]++;
                }
            }
        }
        Arrays.sort(order, (a, b) -> Integer.compare(salient[b], salient[a]));
        int threshold = Math.max(1, (int) (gammaSal * (targetActive / out)));
        int minNeurons = targetActive / in;
        if (minNeurons < out && salient[order[minNeurons]] < threshold) {
            threshold = salient[order[minNeurons]];
        }
        List<Integer> ablate = new ArrayList<>();
        for (int r = 0; r < out; r++) {
            if (salient[r] < threshold) {
                ablate.add(r);
            }
        }
        return ablate;
    }
}
