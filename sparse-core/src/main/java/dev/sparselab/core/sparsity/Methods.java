package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Creates the method a spec names. */
public final class Methods {
    private Methods() {
    }

    public static SparsityMethod create(ExperimentSpec experiment, StepRandom rng) {
        SparsitySpec spec = experiment.sparsity();
        return switch (spec.method()) {
            case SparsitySpec.DENSE_METHOD -> new SparsityMethod() { };
            case SparsitySpec.RANDOM -> new SparsityMethod() {
                @Override
                public void init(SparseState state) {
                    state.updateMasks(randomMasks(state, spec, rng.at(0)), 0, 0);
                }
            };
            case SparsitySpec.MAGNITUDE -> new MagnitudePruning(spec);
            case SparsitySpec.GMP -> new GradualMagnitudePruning(spec);
            case SparsitySpec.SET -> new SetMethod(spec, rng);
            case SparsitySpec.RIGL -> new RigL(spec, rng);
            case SparsitySpec.SNFS -> new SparseMomentum(spec, rng);
            case SparsitySpec.NM -> new NmSparsity(spec);
            case SparsitySpec.IMP -> new IterativeMagnitudePruning(spec, experiment.training().epochs());
            case SparsitySpec.L1 -> new Regularized(spec, false);
            case SparsitySpec.GROUP_LASSO -> new Regularized(spec, true);
            case SparsitySpec.NEURON, SparsitySpec.CHANNEL -> new StructuredPruning(spec);
            case SparsitySpec.WANDA -> new Wanda(spec, experiment.model(), experiment.training().batchSize());
            case SparsitySpec.SRIGL -> new StructuredRigL(spec, rng);
            case SparsitySpec.TOPK_ACTIVATION -> new SparsityMethod() { }; // the model's top-k blocks do it
            case SparsitySpec.RELU_THRESHOLD -> new ActivationThreshold(spec, experiment.training().batchSize());
            default -> throw new IllegalArgumentException("unknown sparsity method '" + spec.method() + "'");
        };
    }

    /** Uniformly random masks with the spec's distribution of zeros over the layers. */
    static Map<String, float[]> randomMasks(SparseState state, SparsitySpec spec, SplittableRandom rng) {
        Map<String, Integer> zeros = Distributions.zeros(state.shapes(), spec.target(), spec.distribution(),
                state.denseLayers());
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (LayerShape l : state.sparseShapes()) {
            masks.put(l.name(), Masks.random(l.count(), zeros.get(l.name()), rng));
        }
        return masks;
    }

    /**
     * Magnitude masks at sparsity {@code s}: per layer with the spec's distribution, or with one global
     * threshold over all sparsified layers.
     */
    static Map<String, float[]> magnitudeMasks(SparseState state, SparsitySpec spec, double s) {
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (LayerShape l : state.sparseShapes()) {
            scores.put(l.name(), Masks.magnitudeScores(state.weights(l.name()), state.mask(l.name())));
        }
        Map<String, float[]> masks = new LinkedHashMap<>();
        if (Boolean.TRUE.equals(spec.global())) {
            long total = state.sparseShapes().stream().mapToLong(LayerShape::count).sum();
            Masks.keepLargestGlobally(scores, Math.round(s * total), masks);
        } else {
            Map<String, Integer> zeros = Distributions.zeros(state.shapes(), s, spec.distribution(),
                    state.denseLayers());
            scores.forEach((name, sc) -> masks.put(name, Masks.keepLargest(sc, zeros.get(name))));
        }
        return masks;
    }
}
