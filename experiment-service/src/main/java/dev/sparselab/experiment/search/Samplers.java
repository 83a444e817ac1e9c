package dev.sparselab.experiment.search;

import dev.sparselab.contracts.spec.SearchSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.distribution.TruncatedNormalDistribution;
import tools.jackson.databind.JsonNode;

/**
 * The search's samplers: random, and the tree-structured Parzen estimator (Bergstra et al., "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011) as Optuna's {@code TPESampler} does it with its defaults (univariate:
 * each dimension proposed on its own; prior weight 1, magic clip, no endpoints, γ(n) = min(⌈n/10⌉, 25), Optuna's
 * default weights, truncated normal kernels, a discrete one for integers), multi-objective as Optuna's MOTPE (Ozaki
 * et al. 2020/2022: the good set by non-domination rank, its last rank cut by greedy hypervolume subset selection,
 * good trials weighted by their hypervolume contribution).
 *
 * <p>Reproducible: trial k's proposal draws from its own stream, seeded by (seed, k) (xoshiro128++), and depends
 * otherwise only on the trials completed when it is proposed, in trial order.
 */
final class Samplers {
    static final double EPS = 1e-12;
    private static final double PRIOR_WEIGHT = 1.0;

    private Samplers() {
    }

    /** Trial {@code number}'s values: at random, or by TPE once {@code startupTrials} trials have completed. */
    static Map<String, JsonNode> propose(SearchSpec search, List<Trial> completed, int number) {
        Space space = new Space(search.space());
        // one long from (seed, k), expanded by commons-rng's SplitMix64 (small raw seeds would start xoshiro near zero)
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(search.seed() * 0x9E3779B97F4A7C15L + number);
        Map<String, JsonNode> point = new LinkedHashMap<>();
        boolean model = SearchSpec.TPE.equals(search.type()) && completed.size() >= search.startupTrials();
        List<Trial> below = List.of();
        List<Trial> above = List.of();
        double[] belowWeights = null;
        if (model) {
            List<List<Trial>> split = split(completed, gamma(completed.size()));
            below = split.get(0);
            above = split.get(1);
            belowWeights = below.get(0).losses().length > 1 ? hypervolumeWeights(below) : defaultWeights(below.size());
        }
        if (!model) {
            for (Space.Dim dim : space.dims()) {
                point.put(dim.path(), dim.value(randomValue(dim, rng)));
            }
            return point;
        }
        // multivariate: one model over all dimensions; univariate (Optuna's default): each dimension on its own
        List<List<Space.Dim>> groups = search.multivariate() ? List.of(space.dims())
                : space.dims().stream().map(List::of).toList();
        for (List<Space.Dim> group : groups) {
            Parzen good = Parzen.of(group, below, belowWeights, search.multivariate());
            Parzen bad = Parzen.of(group, above, defaultWeights(above.size()), search.multivariate());
            double[] best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < search.candidates(); c++) {
                double[] candidate = good.sample(rng);
                double score = good.logPdf(candidate) - bad.logPdf(candidate);
                if (best == null || score > bestScore) {
                    best = candidate;
                    bestScore = score;
                }
            }
            for (int j = 0; j < group.size(); j++) {
                point.put(group.get(j).path(), group.get(j).value(best[j]));
            }
        }
        return point;
    }

    /** Optuna's default γ: the good set holds ⌈n/10⌉ trials, at most 25. */
    static int gamma(int n) {
        return Math.min((int) Math.ceil(0.1 * n), 25);
    }

    /** Optuna's default weights: flat for fewer than 25 observations, else a ramp from 1/n up to the newest 25. */
    static double[] defaultWeights(int n) {
        double[] w = new double[n];
        if (n < 25) {
            Arrays.fill(w, 1.0);
            return w;
        }
        int ramp = n - 25;
        for (int i = 0; i < ramp; i++) {
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        }
        Arrays.fill(w, ramp, n, 1.0);
        return w;
    }

    /**
     * The good and the bad trials, each in trial order: by loss for one objective (ties: trial order), by
     * non-domination rank and then hypervolume for several.
     */
    static List<List<Trial>> split(List<Trial> trials, int nBelow) {
        nBelow = Math.min(nBelow, trials.size());
        List<Integer> chosen = new ArrayList<>();
        if (trials.get(0).losses().length == 1) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < trials.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingDouble(i -> trials.get(i).losses()[0]));
            chosen.addAll(order.subList(0, nBelow));
        } else {
            List<double[]> losses = trials.stream().map(Trial::losses).toList();
            int[] rank = Pareto.ranks(losses);
            int r = 0;
            while (true) {
                List<Integer> level = new ArrayList<>();
                for (int i = 0; i < rank.length; i++) {
                    if (rank[i] == r) {
                        level.add(i);
                    }
                }
                if (level.isEmpty() || chosen.size() + level.size() > nBelow) {
                    if (chosen.size() < nBelow) {
                        List<double[]> levelLosses = level.stream().map(losses::get).toList();
                        for (int k : Pareto.selectByHypervolume(levelLosses, nBelow - chosen.size(),
                                Pareto.referencePoint(levelLosses))) {
                            chosen.add(level.get(k));
                        }
                    }
                    break;
                }
                chosen.addAll(level);
                r++;
            }
        }
        boolean[] good = new boolean[trials.size()];
        chosen.forEach(i -> good[i] = true);
        List<Trial> below = new ArrayList<>();
        List<Trial> above = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            (good[i] ? below : above).add(trials.get(i));
        }
        return List.of(below, above);
    }

    /** MOTPE's weights of the good trials: each one's hypervolume contribution, relative to the largest. */
    static double[] hypervolumeWeights(List<Trial> below) {
        int n = below.size();
        if (n <= 1) {
            return n == 0 ? new double[0] : new double[]{1.0};
        }
        List<double[]> losses = below.stream().map(Trial::losses).toList();
        double[] ref = Pareto.referencePoint(losses);
        double all = Pareto.hypervolume(losses, ref);
        double[] w = new double[n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            List<double[]> others = new ArrayList<>(losses);
            others.remove(i);
            w[i] = all - Pareto.hypervolume(others, ref) + EPS;
            max = Math.max(max, w[i]);
        }
        for (int i = 0; i < n; i++) {
            w[i] = Math.min(1, Math.max(0, w[i] / max));
        }
        return w;
    }

    private static double[] values(List<Trial> trials, Space.Dim dim) {
        return trials.stream().mapToDouble(t -> dim.internal(t.params().get(dim.path()))).toArray();
    }

    static double randomValue(Space.Dim dim, UniformRandomProvider rng) {
        return switch (dim.kind()) {
            case FLOAT, LOG -> dim.low() + (dim.high() - dim.low()) * rng.nextDouble();
            case INT -> dim.low() + dim.step() * rng.nextInt(dim.size());
            case CHOICE -> rng.nextInt(dim.size());
        };
    }

    /**
     * A Parzen estimator over some dimensions: a mixture of one kernel per observation and a prior kernel, each a
     * product over the dimensions. Numbers: truncated normals on [low, high] (integers: on [low − step/2, top + step/2],
     * each value's mass over its step), bandwidths by Optuna's rules (univariate: the neighbours' distances; multivariate:
     * 0.2 · n^(−1/(d+4)) · range), clipped to [range / min(100, n + 2), range]; the prior kernel at the range's middle,
     * as wide as the range. Choices: per observation, the prior's weight spread over the choices plus 1 at the observed
     * one; the prior kernel uniform.
     */
    private record Parzen(List<Space.Dim> dims, double[] weights, double[][] mus, double[][] sigmas,
                          double[][][] choiceWeights) {
        static Parzen of(List<Space.Dim> dims, List<Trial> trials, double[] obsWeights, boolean multivariate) {
            int n = trials.size();
            double[] w = new double[n + 1];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                w[i] = obsWeights[i];
                sum += w[i];
            }
            w[n] = PRIOR_WEIGHT;
            sum += PRIOR_WEIGHT;
            for (int i = 0; i <= n; i++) {
                w[i] /= sum;
            }
            int d = dims.size();
            double[][] mus = new double[d][];
            double[][] sigmas = new double[d][];
            double[][][] cws = new double[d][][];
            for (int j = 0; j < d; j++) {
                Space.Dim dim = dims.get(j);
                double[] obs = values(trials, dim);
                if (dim.kind() == Space.Kind.CHOICE) {
                    int k = dim.size();
                    double[][] cw = new double[n + 1][k];
                    for (int i = 0; i <= n; i++) {
                        Arrays.fill(cw[i], PRIOR_WEIGHT / (n + 1));
                        if (i < n) {
                            cw[i][(int) obs[i]] += 1;
                        }
                        double rowSum = Arrays.stream(cw[i]).sum();
                        for (int c = 0; c < k; c++) {
                            cw[i][c] /= rowSum;
                        }
                    }
                    cws[j] = cw;
                    continue;
                }
                double step = dim.kind() == Space.Kind.INT ? dim.step() : 0;
                double low = dim.low();
                double high = dim.kind() == Space.Kind.INT ? dim.top() : dim.high();
                double range = high - low + step;
                double[] mu = Arrays.copyOf(obs, n + 1);
                mu[n] = 0.5 * (low + high);
                double[] sigma = new double[n + 1];
                double minSigma = range / Math.min(100.0, 1.0 + n + 1);
                if (multivariate) {
                    Arrays.fill(sigma, 0.2 * Math.pow(Math.max(n, 1), -1.0 / (d + 4)) * range);
                } else {
                    // neighbours' distances over the sorted observations and the prior, the range's ends outermost
                    Integer[] order = new Integer[n + 1];
                    for (int i = 0; i <= n; i++) {
                        order[i] = i;
                    }
                    Arrays.sort(order, Comparator.comparingDouble(i -> mu[i]));
                    double[] ends = new double[n + 3];
                    ends[0] = low - step / 2;
                    for (int i = 0; i <= n; i++) {
                        ends[i + 1] = mu[order[i]];
                    }
                    ends[n + 2] = high + step / 2;
                    double[] sorted = new double[n + 1];
                    for (int i = 0; i <= n; i++) {
                        sorted[i] = Math.max(ends[i + 1] - ends[i], ends[i + 2] - ends[i + 1]);
                    }
                    if (ends.length >= 4) {
                        sorted[0] = ends[2] - ends[1];
                        sorted[n] = ends[n + 1] - ends[n];
                    }
                    for (int i = 0; i <= n; i++) {
                        sigma[order[i]] = sorted[i];
                    }
                }
                for (int i = 0; i < n; i++) {
                    sigma[i] = Math.min(range, Math.max(minSigma, sigma[i]));
                }
                sigma[n] = range;
                mus[j] = mu;
                sigmas[j] = sigma;
            }
            return new Parzen(dims, w, mus, sigmas, cws);
        }

        private static double lowEdge(Space.Dim dim) {
            return dim.low() - (dim.kind() == Space.Kind.INT ? dim.step() / 2 : 0);
        }

        private static double highEdge(Space.Dim dim) {
            return dim.kind() == Space.Kind.INT ? dim.top() + dim.step() / 2 : dim.high();
        }

        private static int pick(double[] p, double u) {
            double acc = 0;
            for (int i = 0; i < p.length; i++) {
                acc += p[i];
                if (u < acc) {
                    return i;
                }
            }
            return p.length - 1;
        }

        /** One point: a kernel drawn by weight, then each dimension from it. */
        double[] sample(UniformRandomProvider rng) {
            int i = pick(weights, rng.nextDouble());
            double[] x = new double[dims.size()];
            for (int j = 0; j < x.length; j++) {
                Space.Dim dim = dims.get(j);
                if (dim.kind() == Space.Kind.CHOICE) {
                    x[j] = pick(choiceWeights[j][i], rng.nextDouble());
                    continue;
                }
                // by the inverse CDF of a uniform draw, as Optuna's truncnorm.rvs (commons-statistics 1.1's own
                // sampler is biased: TN(7.5, 15; [0, 15]) gave a mean of 11.18 over 200,000 draws, its icdf is right)
                double v = TruncatedNormalDistribution.of(mus[j][i], sigmas[j][i], lowEdge(dim), highEdge(dim))
                        .inverseCumulativeProbability(rng.nextDouble());
                if (dim.kind() == Space.Kind.INT) {
                    v = dim.low() + Math.round((v - dim.low()) / dim.step()) * dim.step();
                    v = Math.max(dim.low(), Math.min(dim.top(), v));
                }
                x[j] = v;
            }
            return x;
        }

        double logPdf(double[] x) {
            double[] terms = new double[weights.length];
            for (int i = 0; i < weights.length; i++) {
                double t = Math.log(weights[i]);
                for (int j = 0; j < x.length; j++) {
                    Space.Dim dim = dims.get(j);
                    double density;
                    if (dim.kind() == Space.Kind.CHOICE) {
                        density = choiceWeights[j][i][(int) x[j]];
                    } else {
                        TruncatedNormalDistribution k = TruncatedNormalDistribution.of(mus[j][i], sigmas[j][i],
                                lowEdge(dim), highEdge(dim));
                        density = dim.kind() == Space.Kind.INT
                                ? k.probability(x[j] - dim.step() / 2, x[j] + dim.step() / 2) : k.density(x[j]);
                    }
                    t += Math.log(Math.max(density, Double.MIN_NORMAL));
                }
                terms[i] = t;
            }
            double max = Arrays.stream(terms).max().orElseThrow();
            double s = 0;
            for (double t : terms) {
                s += Math.exp(t - max);
            }
            return max + Math.log(s);
        }
    }
}
