package dev.sparselab.core.sparsity;

import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.ChannelSpec;
import dev.sparselab.contracts.spec.DenseSpec;
import dev.sparselab.contracts.spec.GmpSpec;
import dev.sparselab.contracts.spec.GroupLassoSpec;
import dev.sparselab.contracts.spec.ImpSpec;
import dev.sparselab.contracts.spec.L1Spec;
import dev.sparselab.contracts.spec.MagnitudeSpec;
import dev.sparselab.contracts.spec.NeuronSpec;
import dev.sparselab.contracts.spec.NmSpec;
import dev.sparselab.contracts.spec.RandomSpec;
import dev.sparselab.contracts.spec.ReluThresholdSpec;
import dev.sparselab.contracts.spec.RiglSpec;
import dev.sparselab.contracts.spec.SetSpec;
import dev.sparselab.contracts.spec.SnfsSpec;
import dev.sparselab.contracts.spec.SparsitySpec;
import dev.sparselab.contracts.spec.SriglSpec;
import dev.sparselab.contracts.spec.TopkActivationSpec;
import dev.sparselab.contracts.spec.WandaSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Creates the method a spec names. */
public final class Methods {
    private Methods() {
    }

    /** The method of the run's spec; the visitor makes the compiler ask for each new method here. */
    public static SparsityMethod create(ExperimentSpec experiment, StepRandom rng) {
        int batch = experiment.training().batchSize();
        return experiment.sparsity().accept(new SparsitySpec.Visitor<SparsityMethod>() {
            @Override
            public SparsityMethod dense(DenseSpec spec) {
                return new SparsityMethod() { };
            }

            @Override
            public SparsityMethod random(RandomSpec spec) {
                return new SparsityMethod() {
                    @Override
                    public void init(SparseState state) {
                        state.updateMasks(randomMasks(state, spec, rng.at(0)), 0, 0);
                    }
                };
            }

            @Override
            public SparsityMethod magnitude(MagnitudeSpec spec) {
                return new MagnitudePruning(spec);
            }

            @Override
            public SparsityMethod gmp(GmpSpec spec) {
                return new GradualMagnitudePruning(spec);
            }

            @Override
            public SparsityMethod imp(ImpSpec spec) {
                return new IterativeMagnitudePruning(spec, experiment.training().epochs());
            }

            @Override
            public SparsityMethod wanda(WandaSpec spec) {
                return new Wanda(spec, experiment.model(), batch);
            }

            @Override
            public SparsityMethod l1(L1Spec spec) {
                return new Regularized(spec, spec.lambda(), spec.finetuneEpochs(), false);
            }

            @Override
            public SparsityMethod groupLasso(GroupLassoSpec spec) {
                return new Regularized(spec, spec.lambda(), spec.finetuneEpochs(), true);
            }

            @Override
            public SparsityMethod set(SetSpec spec) {
                return new SetMethod(spec, rng, experiment.model());
            }

            @Override
            public SparsityMethod rigl(RiglSpec spec) {
                return new RigL(spec, rng);
            }

            @Override
            public SparsityMethod snfs(SnfsSpec spec) {
                return new SparseMomentum(spec, rng);
            }

            @Override
            public SparsityMethod nm(NmSpec spec) {
                return new NmSparsity(spec);
            }

            @Override
            public SparsityMethod neuron(NeuronSpec spec) {
                return new StructuredPruning(spec, spec.finetuneEpochs());
            }

            @Override
            public SparsityMethod channel(ChannelSpec spec) {
                return new StructuredPruning(spec, spec.finetuneEpochs());
            }

            @Override
            public SparsityMethod srigl(SriglSpec spec) {
                return new StructuredRigL(spec, rng);
            }

            @Override
            public SparsityMethod topkActivation(TopkActivationSpec spec) {
                return new SparsityMethod() { }; // the model's top-k blocks do it
            }

            @Override
            public SparsityMethod reluThreshold(ReluThresholdSpec spec) {
                return new ActivationThreshold(spec, batch);
            }
        });
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
    static Map<String, float[]> magnitudeMasks(SparseState state, String distribution, boolean global, double s) {
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (LayerShape l : state.sparseShapes()) {
            scores.put(l.name(), Masks.magnitudeScores(state.weights(l.name()), state.mask(l.name())));
        }
        Map<String, float[]> masks = new LinkedHashMap<>();
        if (global) {
            long total = state.sparseShapes().stream().mapToLong(LayerShape::count).sum();
            Masks.keepLargestGlobally(scores, Math.round(s * total), masks);
        } else {
            Map<String, Integer> zeros = Distributions.zeros(state.shapes(), s, distribution, state.denseLayers());
            scores.forEach((name, sc) -> masks.put(name, Masks.keepLargest(sc, zeros.get(name))));
        }
        return masks;
    }
}
