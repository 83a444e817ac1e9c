package dev.sparselab.contracts.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks on the initialization and loss options that the schema cannot express: they apply to the models
 * the weight-sparse trainer trains end to end (mlp, lenet5, cnn by backprop; conditional blocks, transformers and
 * layer-local training have their own), and {@code layerInit} must name layers the model has; an N:M group
 * ({@code nm}, Wanda's N:M variant) keeps fewer weights than it holds.
 */
final class TrainingOptions {
    private TrainingOptions() {
    }

    static List<FieldError> check(ExperimentSpec spec) {
        List<FieldError> errors = new ArrayList<>(nm(spec.sparsity()));
        errors.addAll(engine(spec));
        ModelSpec m = spec.model();
        TrainingSpec t = spec.training();
        boolean weightSparse = !m.conditional() && !t.local();
        String why = "applies to mlp, lenet5 and cnn models trained by backprop (not to transformers, conditional "
                + "blocks, factorized layers or layer-local training)";
        if (!weightSparse) {
            if (m.init() != null) {
                errors.add(new FieldError("/model/init", why));
            }
            if (m.layerInit() != null) {
                errors.add(new FieldError("/model/layerInit", why));
            }
            if (t.labelSmoothing() != null) {
                errors.add(new FieldError("/training/labelSmoothing", why));
            }
            if (t.reduction() != null) {
                errors.add(new FieldError("/training/reduction", why));
            }
            return errors;
        }
        if (m.layerInit() != null) {
            List<String> names = m.layerNames();
            m.layerInit().keySet().stream().filter(k -> !names.contains(k)).sorted().forEach(k -> errors.add(
                    new FieldError("/model/layerInit/" + k, "the model has no layer '" + k + "'; its layers are "
                            + String.join(", ", names))));
        }
        return errors;
    }

    /**
     * What the sparse engine ({@code training.engine: sparse}) trains: an mlp (linear layers only) by backprop, with
     * relu, tanh or sigmoid activations, no dropout and no output activation, under a method whose connections it
     * can hold as a sparse structure: dense, random (a static mask), set, rigl or srigl.
     */
    static List<FieldError> engine(ExperimentSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        TrainingSpec t = spec.training();
        if (!t.sparseEngine()) {
            return errors;
        }
        ModelSpec m = spec.model();
        List<LayerSpec> stack = m.stack();
        boolean linearOnly = !m.conditional() && stack != null && stack.stream().allMatch(l -> "linear".equals(l.type()));
        if (!linearOnly) {
            errors.add(new FieldError("/training/engine", "the sparse engine trains mlp models (linear layers only); "
                    + "model type '" + m.type() + "' trains with engine dense-masked"));
        } else if (t.local()) {
            errors.add(new FieldError("/training/engine", "the sparse engine trains by backprop, not by "
                    + t.algorithm()));
        }
        String method = spec.sparsity().method();
        if (!SPARSE_ENGINE_METHODS.contains(method)) {
            errors.add(new FieldError("/sparsity/method", "the sparse engine (training.engine: sparse) trains methods "
                    + String.join(", ", SPARSE_ENGINE_METHODS) + "; '" + method + "' trains with engine dense-masked"));
        }
        if (m.dropout() != null && m.dropout() > 0) {
            errors.add(new FieldError("/model/dropout", "the sparse engine applies no dropout (set 0 or use engine "
                    + "dense-masked)"));
        }
        if (m.activation() != null && !List.of("relu", "tanh", "sigmoid").contains(m.activation())) {
            errors.add(new FieldError("/model/activation", "the sparse engine computes relu, tanh and sigmoid, not '"
                    + m.activation() + "'"));
        }
        if (m.outputActivation() != null && !"none".equals(m.outputActivation())) {
            errors.add(new FieldError("/model/outputActivation", "the sparse engine's output layer has no activation"));
        }
        return errors;
    }

    /** The methods the sparse engine trains. */
    static final List<String> SPARSE_ENGINE_METHODS = List.of("dense", "random", "set", "rigl", "srigl");

    /** N:M groups keep fewer than they hold; Wanda's N:M variant needs both numbers. */
    static List<FieldError> nm(SparsitySpec sparsity) {
        List<FieldError> errors = new ArrayList<>();
        Integer n = null;
        Integer m = null;
        if (sparsity instanceof NmSpec s) {
            n = s.n();
            m = s.m();
        } else if (sparsity instanceof WandaSpec s) {
            if ((s.n() == null) != (s.m() == null)) {
                errors.add(new FieldError(s.n() == null ? "/sparsity/n" : "/sparsity/m",
                        "wanda's N:M variant needs both n and m"));
            }
            n = s.n();
            m = s.m();
        }
        if (n != null && m != null && n >= m) {
            errors.add(new FieldError("/sparsity/n", "n (" + n + ") must be less than m (" + m + "): an N:M group keeps "
                    + "n of its m weights"));
        }
        return errors;
    }
}
