package dev.sparselab.core.cond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.sparselab.contracts.spec.FfnSpec;

/**
 * Fast feedforward (Belcak and Wattenhofer): a balanced binary tree of {@code depth} routing neurons
 * c = sigmoid(w_n . x + b_n) over 2^depth leaf FFNs. Training mixes all leaves softly, each weighted by the
 * product along its path of c (right) or 1 - c (left); evaluation follows the hard path (c > 1/2) and runs
 * the one leaf. Node order is level order, node i's children are 2i+1 (left) and 2i+2 (right). In training
 * the mean over rows and nodes of each decision's entropy H(c) = -c ln c - (1 - c) ln(1 - c) (c clamped to
 * [1e-6, 1 - 1e-6]), times {@code hardening}, joins the loss (the reference's hardening), so that the decisions
 * harden and the hard path inferred agrees with the mixture trained.
 */
final class FastFfn extends Ffn {
    private final String p;
    private final Weights w;
    private final int depth;
    private final int nodes;
    private final int leaves;
    private final Experts experts;
    private final LayerStats stats;
    private final FfnSpec spec;

    FastFfn(FfnSpec spec, String prefix, int d, Weights w) {
        this.spec = spec;
        this.p = prefix;
        this.w = w;
        this.depth = spec.depth();
        this.leaves = 1 << depth;
        this.nodes = leaves - 1;
        w.uniform(p + ".nodes", 1 / Math.sqrt(d), d, nodes);
        w.uniform(p + ".nodeBias", 1 / Math.sqrt(d), nodes);
        this.experts = new Experts(p + ".leaves", leaves, d, spec.hidden(), w);
        this.stats = new LayerStats(prefix, leaves);
    }

    @Override
    LayerStats stats() {
        return stats;
    }

    /** The entropy of Bernoulli decisions c (clamped to [1e-6, 1 - 1e-6]), element-wise. */
    static NDArray entropy(NDArray c) {
        NDArray p = c.clip(1e-6f, 1 - 1e-6f);
        NDArray q = p.neg().add(1f);
        return p.mul(p.log()).add(q.mul(q.log())).neg();
    }

    /** The leaf each row's hard path reaches, from the routing decisions c [n, nodes]. */
    static int[] hardLeaves(float[] c, int n, int depth) {
        int nodes = (1 << depth) - 1;
        int[] leaf = new int[n];
        for (int t = 0; t < n; t++) {
            int node = 0;
            for (int l = 0; l < depth; l++) {
                node = 2 * node + (c[t * nodes + node] > 0.5f ? 2 : 1);
            }
            leaf[t] = node - nodes;
        }
        return leaf;
    }

    @Override
    NDArray forward(NDArray x, int[] tokens, Step step) {
        int n = (int) x.getShape().get(0);
        NDArray c = Activation.sigmoid(Ops.linear(x, w.get(p + ".nodes"), w.get(p + ".nodeBias")));
        int[] leaf = hardLeaves(Ops.floats(c), n, depth);
        int[][] choices = new int[n][1];
        for (int t = 0; t < n; t++) {
            choices[t][0] = leaf[t];
        }
        Routing.Dispatch dispatch = Routing.dispatch(choices, leaves, 0);
        if (step.record) {
            stats.add(dispatch.routed(), n, 0);
        }
        if (step.training) {
            double hardening = spec.hardening() == null ? 0 : spec.hardening();
            if (hardening > 0) {
                NDArray entropy = entropy(c).mean().mul((float) hardening);
                step.auxLosses.add(entropy);
                if (step.record) {
                    stats.addAux(entropy.getFloat());
                }
            }
            NDArray probs = step.manager.ones(new Shape(n, 1));
            for (int l = 0; l < depth; l++) {
                int from = (1 << l) - 1;
                NDArray cl = c.get(":, " + from + ":" + (from + (1 << l)));
                probs = NDArrays.stack(new NDList(probs.mul(cl.neg().add(1f)), probs.mul(cl)), 2)
                        .reshape(n, 1L << (l + 1));
            }
            return experts.dense(x, probs, step);
        }
        NDArray gates = step.manager.ones(new Shape(n, 1));
        return step.dense ? experts.dense(x, Experts.combine(step, choices, gates, leaves), step)
                : experts.sparse(x, dispatch, gates, step);
    }
}
