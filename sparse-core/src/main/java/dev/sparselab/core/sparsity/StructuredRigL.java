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
 * Structured RigL (Lasby et al.): RigL with a constant fan-in. Every live output neuron of a layer has
 * the same number of connections: the initial mask draws that many per row at random, and every update
 * (RigL's schedule) drops the floor(alpha_t * fan_in) smallest |W| of each row and grows as many in the
 * same row by |dense gradient|. Neuron ablation: a row whose fraction of salient weights (|W| at least
 * the layer's drop threshold, i.e. weights RigL's layer-wise ranking would keep) is below gammaSal is
 * removed (row, bias), and its connections go to the remaining rows, raising their common fan-in.
 * At most half of a layer's neurons are ablated; the output layer's neurons never.
 *
 * <p>The common fan-in is the layer's <em>target</em> number of connections (from the distribution) over its
 * live rows, rounded, so the overall sparsity stays at the target within half a connection per row. It used to
 * be the current connections over the live rows, floored, which lost connections at every ablation (0.9031
 * instead of 0.9 on LeNet-300-100).
 */
final class StructuredRigL implements SparsityMethod {
    private final SriglSpec spec;
    private final StepRandom rng;
    private final Map<String, float[]> alive = new LinkedHashMap<>();

    StructuredRigL(SriglSpec spec, StepRandom rng) {
        this.spec = spec;
        this.rng = rng;
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
        long tEnd = (long) Math.floor(spec.stopFraction() * state.trainSteps());
        if (step % spec.deltaT() != 0 || step >= tEnd) {
            return;
        }
        double alphaT = RigL.alphaAt(spec.alpha(), step, tEnd);
        state.chargeDenseGradient();
        Map<String, Integer> zeros = Distributions.zeros(state.shapes(), spec.target(), spec.distribution(),
                state.denseLayers());
        SplittableRandom stepRng = rng.at(step);
        String last = state.shapes().get(state.shapes().size() - 1).name();
        Map<String, float[]> next = new LinkedHashMap<>();
        Map<String, float[]> biasMasks = new LinkedHashMap<>();
        List<MetricPoint> points = new ArrayList<>();
        for (LayerShape l : state.sparseShapes()) {
            int out = l.out();
            int in = l.fanIn();
            float[] w = state.weights(l.name());
            float[] g = state.gradient(l.name());
            float[] mask = state.mask(l.name()).clone();
            float[] live = alive.get(l.name());
            int active = l.count() - Masks.countZeros(mask);
            int liveRows = out - Masks.countZeros(live);
            // salience: a weight is salient when RigL's layer-wise drop would keep it
            int k = (int) Math.floor(alphaT * active);
            float[] keep = Masks.keepLargest(Masks.magnitudeScores(w, mask), l.count() - active + k);
            int ablated = 0;
            if (!l.name().equals(last)) {
                for (int r = 0; r < out && liveRows - ablated > out / 2; r++) {
                    if (live[r] == 0f) {
                        continue;
                    }
                    int nz = 0;
                    int salient = 0;
                    for (int c = 0; c < in; c++) {
                        if (mask[r * in + c] != 0f) {
                            nz++;
                            if (keep[r * in + c] != 0f) {
                                salient++;
                            }
                        }
                    }
                    if (nz > 0 && (double) salient / nz < spec.gammaSal()) {
                        live[r] = 0f;
                        Arrays.fill(mask, r * in, (r + 1) * in, 0f);
                        Arrays.fill(w, r * in, (r + 1) * in, 0f);
                        ablated++;
                    }
                }
            }
            int rows = out - Masks.countZeros(live);
            int targetActive = l.count() - zeros.get(l.name());
            int fanIn = Math.max(1, Math.min(in, (int) Math.round((double) targetActive / rows)));
            for (int r = 0; r < out; r++) {
                if (live[r] == 0f) {
                    continue;
                }
                float[] wr = Arrays.copyOfRange(w, r * in, (r + 1) * in);
                float[] gr = Arrays.copyOfRange(g, r * in, (r + 1) * in);
                float[] mr = Arrays.copyOfRange(mask, r * in, (r + 1) * in);
                int nz = in - Masks.countZeros(mr);
                // first bring the row to the common fan-in (after ablation), then RigL within the row
                if (nz < fanIn) {
                    float[] grow = growScores(gr, mr);
                    float[] extra = Masks.keepLargest(grow, in - (fanIn - nz));
                    for (int c = 0; c < in; c++) {
                        if (extra[c] != 0f && mr[c] == 0f) {
                            mr[c] = 1f;
                            wr[c] = 0f;
                        }
                    }
                }
                int kr = (int) Math.floor(alphaT * fanIn);
                float[] updated = RigL.dropAndGrow(wr, gr, mr, kr, stepRng);
                System.arraycopy(updated, 0, mask, r * in, in);
                System.arraycopy(wr, 0, w, r * in, in);
            }
            state.setWeights(l.name(), w);
            next.put(l.name(), mask);
            biasMasks.put(l.name(), live.clone());
            points.add(new MetricPoint("srigl." + l.name() + ".neurons", step, epoch, rows));
            points.add(new MetricPoint("srigl." + l.name() + ".fanIn", step, epoch, fanIn));
        }
        state.updateMasks(next, step, epoch);
        state.updateBiasMasks(biasMasks);
        state.report(points);
    }

    private static float[] growScores(float[] g, float[] mask) {
        float[] s = new float[g.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = mask[i] != 0f ? -1f : Math.abs(g[i]);
        }
        return s;
    }
}
