package dev.sparselab.core.run;

import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.cond.ConditionalEvaluator;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.TokenData;
import dev.sparselab.core.data.TrainingData;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.eval.ModelEvaluator;

/**
 * The evaluation of a trained model on its test split: {@link ModelEvaluator} for weight-sparse networks,
 * {@link ConditionalEvaluator} for conditional ones. The only place that tells the two apart for evaluation.
 */
public final class Evaluators {
    private final ModelEvaluator weightSparse;
    private final ConditionalEvaluator conditional;

    public Evaluators(ModelEvaluator weightSparse, ConditionalEvaluator conditional) {
        this.weightSparse = weightSparse;
        this.conditional = conditional;
    }

    public Evaluators() {
        this(new ModelEvaluator(), new ConditionalEvaluator());
    }

    public Evaluation evaluate(ModelArtifact artifact, TrainingData test) {
        if (Trainers.conditional(artifact.spec())) {
            return test instanceof TokenData tokens ? conditional.evaluate(artifact, tokens)
                    : conditional.evaluate(artifact, (Dataset) test);
        }
        if (!(test instanceof Dataset examples)) {
            throw new IllegalArgumentException("a " + artifact.spec().model().type()
                    + " is evaluated on examples, not on token data");
        }
        return weightSparse.evaluate(artifact, examples);
    }
}
