package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sparselab.contracts.spec.ConditionalSize;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A model written as functions of named {@link Weights}: the decoder-only {@code transformer} for token data,
 * or an {@code mlp} with conditional blocks. Its forward pass maps a batch to logits [rows, classes]: one row
 * per token position (transformer) or per example (mlp).
 */
public abstract class ConditionalNetwork {
    protected final Weights weights;
    protected final List<Ffn> blocks = new ArrayList<>();

    protected ConditionalNetwork(Weights weights) {
        this.weights = weights;
    }

    public Weights weights() {
        return weights;
    }

    /** Logits [rows, classes]: tokens (b x context ids) for a transformer, features (b x dim) for an mlp. */
    public abstract NDArray logits(int[] tokens, float[] features, int batch, Step step);

    /** Rows of logits per example: the context for a transformer, 1 for an mlp. */
    public abstract int rowsPerExample();

    /** Parameter counts (total, active per token or example) as the spec promises. */
    public abstract ConditionalSize.Count size();

    /** The largest array (in floats) the dense reference allocates for {@code rows} rows: product keys' n^2 scores. */
    public long denseReferenceFloats(long rows) {
        long most = 0;
        for (Ffn f : blocks) {
            if (f instanceof MemoryFfn m) {
                most = Math.max(most, m.denseScores(rows));
            }
        }
        return most;
    }

    /** Attention density per block (empty for an mlp). */
    public List<Double> attentionDensity() {
        return List.of();
    }

    /** Routing statistics of the conditional blocks, in order. */
    public List<LayerStats> stats() {
        List<LayerStats> out = new ArrayList<>();
        for (Ffn f : blocks) {
            if (f.stats() != null) {
                out.add(f.stats());
            }
        }
        return out;
    }

    /**
     * Builds the model of a spec, initialized from its seed.
     *
     * @param inputs      vocabulary (transformer) or features per example (mlp)
     * @param classes     outputs (the vocabulary for a transformer)
     * @param frequencies training-token frequencies (hash routing), or null
     */
    public static ConditionalNetwork build(ExperimentSpec spec, int inputs, int classes, long[] frequencies,
                                           NDManager manager) {
        long seed = spec.training().seed();
        Weights w = new Weights(manager, seed);
        ModelSpec m = spec.model();
        if (spec.training().local()) {
            return new LocalNetwork(m, spec.training(), inputs, classes, w);
        }
        return ModelSpec.TRANSFORMER.equals(m.type()) ? new Transformer(m, inputs, frequencies, w, seed)
                : new ResidualMlp(m, inputs, classes, w, seed);
    }

    /** Pre-norm decoder: x + attn(LN(x)), then x + ffn(LN(x)); learned positions; final LN and projection. */
    static final class Transformer extends ConditionalNetwork {
        private final ModelSpec m;
        private final int vocabulary;
        private final List<Attention> attention = new ArrayList<>();

        Transformer(ModelSpec m, int vocabulary, long[] frequencies, Weights w, long seed) {
            super(w);
            this.m = m;
            this.vocabulary = vocabulary;
            int d = m.width();
            w.normal("embedding", 0.02, vocabulary, d);
            w.normal("position", 0.02, m.context(), d);
            for (int l = 1; l <= m.depth(); l++) {
                String p = "block" + l;
                w.constant(p + ".ln1.gain", 1f, d);
                w.constant(p + ".ln1.bias", 0f, d);
                attention.add(new Attention(p + ".attention", d, m.heads(), m.attention(), m.context(), w,
                        seed + l));
                w.constant(p + ".ln2.gain", 1f, d);
                w.constant(p + ".ln2.bias", 0f, d);
                blocks.add(Ffn.create(m.ffn(), p + ".ffn", d, w, frequencies, seed + l));
            }
            w.constant("final.gain", 1f, d);
            w.constant("final.bias", 0f, d);
            w.uniform("output", 1 / Math.sqrt(d), d, vocabulary);
            w.uniform("outputBias", 1 / Math.sqrt(d), vocabulary);
        }

        @Override
        public NDArray logits(int[] tokens, float[] features, int batch, Step step) {
            int t = m.context();
            int d = m.width();
            NDArray x = Ops.rows(weights.get("embedding"), Ops.ints(step.manager, tokens, tokens.length))
                    .reshape(batch, t, d).add(weights.get("position"));
            for (int l = 0; l < m.depth(); l++) {
                String p = "block" + (l + 1);
                x = x.add(attention.get(l).forward(
                        Ops.layerNorm(x, weights.get(p + ".ln1.gain"), weights.get(p + ".ln1.bias")), step));
                NDArray h = Ops.layerNorm(x, weights.get(p + ".ln2.gain"), weights.get(p + ".ln2.bias"))
                        .reshape((long) batch * t, d);
                x = x.add(blocks.get(l).forward(h, x.reshape((long) batch * t, d), tokens, step)
                        .reshape(batch, t, d));
            }
            NDArray h = Ops.layerNorm(x, weights.get("final.gain"), weights.get("final.bias"))
                    .reshape((long) batch * t, d);
            return Ops.linear(h, weights.get("output"), weights.get("outputBias"));
        }

        @Override
        public int rowsPerExample() {
            return m.context();
        }

        @Override
        public ConditionalSize.Count size() {
            return ConditionalSize.transformer(m, vocabulary);
        }

        @Override
        public List<Double> attentionDensity() {
            return attention.stream().map(Attention::density).toList();
        }
    }

    /** fc layers with the model's activation; after each hidden layer h = h + ffn(h); then the output layer. */
    static final class ResidualMlp extends ConditionalNetwork {
        private final ModelSpec m;
        private final int features;
        private final int classes;
        private final List<LinearMap> layers = new ArrayList<>();

        ResidualMlp(ModelSpec m, int features, int classes, Weights w, long seed) {
            super(w);
            this.m = m;
            this.features = features;
            this.classes = classes;
            int in = features;
            for (int i = 0; i < m.hidden().size(); i++) {
                int out = m.hidden().get(i);
                layers.add(LinearMap.create("fc" + (i + 1), in, out, i > 0 ? m.factorization() : null, w, seed + i));
                if (m.ffn() != null) {
                    blocks.add(Ffn.create(m.ffn(), "fc" + (i + 1) + ".ffn", out, w, null, seed + i));
                }
                in = out;
            }
            layers.add(LinearMap.create("fc" + (m.hidden().size() + 1), in, classes, null, w, seed));
        }

        @Override
        public NDArray logits(int[] tokens, float[] x, int batch, Step step) {
            NDArray h = step.manager.create(x, new Shape(batch, features));
            for (int i = 0; i < layers.size() - 1; i++) {
                h = Ops.activate(m.activation(), layers.get(i).forward(h, step));
                if (m.ffn() != null) {
                    h = h.add(blocks.get(i).forward(h, null, step));
                }
            }
            return layers.get(layers.size() - 1).forward(h, step);
        }

        @Override
        public int rowsPerExample() {
            return 1;
        }

        @Override
        public ConditionalSize.Count size() {
            return ConditionalSize.mlp(m, features, classes);
        }
    }
}
