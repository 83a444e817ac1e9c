package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A hyperparameter search: {@code budget} runs (trials), each one point of {@code space} proposed by a sampler
 * ({@code random}, or {@code tpe}: Bergstra et al. 2011's tree-structured Parzen estimator, multi-objective as
 * Ozaki et al. 2020's MOTPE), at most {@code parallelism} of them queued or running at a time. A trial's
 * objective values are its evaluation's metrics (the comparison's names, e.g. {@code testAccuracy},
 * {@code sparseFlops}); with more than one objective the search's result is its Pareto set.
 *
 * @param seed          the sampler's seed: trial k's proposal is drawn from a stream of (seed, k) and, for TPE,
 *                      the trials completed when it is proposed
 * @param startupTrials TPE: trials drawn at random before the model is used (Optuna's n_startup_trials)
 * @param candidates    TPE: points drawn from l(x) per proposal, the best l/g kept (Optuna's n_ei_candidates)
 * @param multivariate  TPE: one Parzen estimator over all dimensions (Optuna's {@code multivariate=True}, Falkner et
 *                      al. 2018's product kernels) or one per dimension (Bergstra et al.'s original, Optuna's default)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchSpec(String type, Integer budget, Integer parallelism, Long seed, List<Objective> objectives,
                         Map<String, Param> space, Integer startupTrials, Integer candidates,
                         Boolean multivariate) {
    public static final String RANDOM = "random";
    public static final String TPE = "tpe";
    static final boolean MULTIVARIATE_DEFAULT = false;

    /** A metric of the evaluation to maximize or minimize. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Objective(String metric, String mode) {
        public boolean maximize() {
            return !"min".equals(mode);
        }
    }

    /**
     * One dimension of the space, at a spec path: {@code uniform} or {@code logUniform} over [low, high],
     * {@code int} over low, low + step, …, high (step 1 by default), or a {@code choice} of values.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Param(String distribution, Double low, Double high, Double step, List<JsonNode> values) {
        public static final String UNIFORM = "uniform";
        public static final String LOG_UNIFORM = "logUniform";
        public static final String INT = "int";
        public static final String CHOICE = "choice";
    }

    SearchSpec withDefaults(long trainingSeed) {
        return new SearchSpec(type, budget, parallelism == null ? Math.min(4, budget) : parallelism,
                seed == null ? trainingSeed : seed, objectives.stream()
                .map(o -> new Objective(o.metric(), o.mode() == null ? "max" : o.mode())).toList(),
                space, startupTrials == null ? 10 : startupTrials, candidates == null ? 24 : candidates,
                multivariate == null ? MULTIVARIATE_DEFAULT : multivariate);
    }
}
