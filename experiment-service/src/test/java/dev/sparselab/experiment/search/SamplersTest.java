package dev.sparselab.experiment.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.spec.SearchSpec;
import dev.sparselab.contracts.spec.SearchSpec.Objective;
import dev.sparselab.contracts.spec.SearchSpec.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The samplers through the code the platform proposes with ({@link Samplers#propose}), one trial after another on
 * known functions.
 */
class SamplersTest {
    private static final double BRANIN_MIN = 0.397887;

    static SearchSpec search(String type, long seed, int objectives, Map<String, Param> space) {
        return search(type, seed, objectives, space, false);
    }

    static SearchSpec search(String type, long seed, int objectives, Map<String, Param> space, boolean multivariate) {
        List<Objective> o = new ArrayList<>();
        for (int i = 0; i < objectives; i++) {
            o.add(new Objective("m" + i, "min"));
        }
        return new SearchSpec(type, 100, 1, seed, o, space, 10, 24, multivariate);
    }

    static Map<String, Param> branin() {
        Map<String, Param> space = new LinkedHashMap<>();
        space.put("x.a", new Param("uniform", -5.0, 10.0, null, null));
        space.put("x.b", new Param("uniform", 0.0, 15.0, null, null));
        return space;
    }

    static double branin(Map<String, JsonNode> p) {
        double x1 = p.get("x.a").asDouble();
        double x2 = p.get("x.b").asDouble();
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        return Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    /** Runs a search of {@code budget} trials on {@code f}, each trial proposed after the previous one completed. */
    static List<Trial> optimize(SearchSpec search, Function<Map<String, JsonNode>, double[]> f, int budget) {
        List<Trial> done = new ArrayList<>();
        for (int k = 0; k < budget; k++) {
            Map<String, JsonNode> p = Samplers.propose(search, done, k);
            done.add(new Trial(k, p, f.apply(p)));
        }
        return done;
    }

    static double best(List<Trial> trials) {
        return trials.stream().mapToDouble(t -> t.losses()[0]).min().orElseThrow();
    }

    @Test
    void proposalsAreReproducibleForASeed() {
        SearchSpec tpe = search(SearchSpec.TPE, 7, 1, branin());
        List<Trial> a = optimize(tpe, p -> new double[]{branin(p)}, 30);
        List<Trial> b = optimize(tpe, p -> new double[]{branin(p)}, 30);
        assertThat(b).extracting(Trial::params).isEqualTo(a.stream().map(Trial::params).toList());
        // the same history proposes the same next trial; another seed another one
        assertThat(Samplers.propose(tpe, a, 30)).isEqualTo(Samplers.propose(tpe, a, 30));
        assertThat(Samplers.propose(search(SearchSpec.TPE, 8, 1, branin()), a, 30))
                .isNotEqualTo(Samplers.propose(tpe, a, 30));
        // random search ignores the history: its trial k is the same whatever completed before
        SearchSpec random = search(SearchSpec.RANDOM, 7, 1, branin());
        assertThat(Samplers.propose(random, a, 12)).isEqualTo(Samplers.propose(random, List.of(), 12));
        // the first startupTrials trials of TPE are random search's
        assertThat(a.subList(0, 10)).extracting(Trial::params)
                .isEqualTo(optimize(random, p -> new double[]{branin(p)}, 10).stream().map(Trial::params).toList());
    }

    /**
     * Branin (minimum 0.397887 at three points), 10 seeds. Optuna 3.1's TPESampler (Debian's python3-optuna, defaults,
     * seeds 0–19) reaches a median best of 0.410 in 100 trials (worst 0.527) and a worst of 0.423 in 200; ours, seeds 0–9:
     * median 0.455 in 100 (worst 0.743), worst 0.415 in 200. Random search's median in 100 trials is 1.0.
     */
    @Test
    void tpeFindsTheMinimumOfBraninWithinTwoHundredTrials() {
        double[] tpe100 = new double[10];
        double[] random100 = new double[10];
        for (int seed = 0; seed < 10; seed++) {
            List<Trial> tpe = optimize(search(SearchSpec.TPE, seed, 1, branin()), p -> new double[]{branin(p)}, 200);
            tpe100[seed] = best(tpe.subList(0, 100));
            random100[seed] = best(optimize(search(SearchSpec.RANDOM, seed, 1, branin()), p -> new double[]{branin(p)},
                    100));
            assertThat(best(tpe)).as("seed %d", seed).isBetween(BRANIN_MIN, BRANIN_MIN + 0.05);
        }
        assertThat(median(tpe100)).isLessThan(BRANIN_MIN + 0.07);
        assertThat(median(random100)).isGreaterThan(BRANIN_MIN + 0.2);
    }

    /** The multivariate estimator (one product kernel over all dimensions) finds it too. */
    @Test
    void multivariateTpeFindsTheMinimumOfBranin() {
        for (int seed = 0; seed < 10; seed++) {
            List<Trial> tpe = optimize(search(SearchSpec.TPE, seed, 1, branin(), true), p -> new double[]{branin(p)},
                    200);
            assertThat(best(tpe)).as("seed %d", seed).isBetween(BRANIN_MIN, BRANIN_MIN + 0.3);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return (s[(s.length - 1) / 2] + s[s.length / 2]) / 2;
    }

    /** A log-scale, an integer and a categorical dimension: TPE finds the right choice, integer and learning rate. */
    @Test
    void tpeHandlesLogIntegerAndChoiceDimensions() {
        Map<String, Param> space = new LinkedHashMap<>();
        space.put("training.lr", new Param("logUniform", 1e-5, 1.0, null, null));
        space.put("model.width", new Param("int", 2.0, 64.0, 2.0, null));
        JsonNodeFactory f = JsonNodeFactory.instance;
        space.put("training.opt", new Param("choice", null, null, null,
                List.of(f.stringNode("sgd"), f.stringNode("adam"), f.stringNode("adamw"), f.numberNode(3))));
        Function<Map<String, JsonNode>, double[]> loss = p -> new double[]{
                Math.pow(Math.log10(p.get("training.lr").asDouble()) + 2.5, 2)
                        + Math.pow(p.get("model.width").asInt() - 40, 2) / 100.0
                        + ("adam".equals(p.get("training.opt").asString()) ? 0 : 1)};
        double tpeSum = 0;
        double randomSum = 0;
        for (long seed = 0; seed < 5; seed++) {
            List<Trial> trials = optimize(search(SearchSpec.TPE, seed, 1, space), loss, 100);
            for (Trial t : trials) {
                assertThat(t.params().get("model.width").asInt() % 2).isZero();
                assertThat(t.params().get("model.width").asInt()).isBetween(2, 64);
                assertThat(t.params().get("training.lr").asDouble()).isBetween(1e-5, 1.0);
            }
            Trial best = trials.stream().min(java.util.Comparator.comparingDouble(t -> t.losses()[0])).orElseThrow();
            assertThat(best.params().get("training.opt").asString()).as("seed %d", seed).isEqualTo("adam");
            assertThat(best.losses()[0]).as("seed %d", seed).isLessThan(0.05);
            // once the model is used it proposes the good choice far more often than a quarter of the time (22 of 90)
            long adam = trials.subList(10, 100).stream()
                    .filter(t -> "adam".equals(t.params().get("training.opt").asString())).count();
            assertThat(adam).as("seed %d", seed).isGreaterThan(30);
            tpeSum += best.losses()[0];
            randomSum += best(optimize(search(SearchSpec.RANDOM, seed, 1, space), loss, 100));
        }
        assertThat(tpeSum).isLessThan(randomSum / 3);
    }

    /**
     * Two objectives (ZDT1: f1 = x1, f2 = g·(1 − √(f1/g)), g = 1 + 9·x2, x ∈ [0, 1]², true front at x2 = 0): MOTPE's
     * Pareto set dominates more than random search's for every one of 5 seeds at 60 trials.
     */
    @Test
    void motpeApproachesTheParetoFrontBetterThanRandomSearch() {
        Map<String, Param> space = new LinkedHashMap<>();
        space.put("x.a", new Param("uniform", 0.0, 1.0, null, null));
        space.put("x.b", new Param("uniform", 0.0, 1.0, null, null));
        Function<Map<String, JsonNode>, double[]> zdt1 = p -> {
            double f1 = p.get("x.a").asDouble();
            double g = 1 + 9 * p.get("x.b").asDouble();
            return new double[]{f1, g * (1 - Math.sqrt(f1 / g))};
        };
        double[] ref = {1.1, 11.0};
        for (long seed = 0; seed < 5; seed++) {
            double tpe = frontVolume(optimize(search(SearchSpec.TPE, seed, 2, space), zdt1, 60), ref);
            double random = frontVolume(optimize(search(SearchSpec.RANDOM, seed, 2, space), zdt1, 60), ref);
            assertThat(tpe).as("seed %d", seed).isGreaterThan(random);
        }
    }

    private static double frontVolume(List<Trial> trials, double[] ref) {
        List<double[]> losses = trials.stream().map(Trial::losses).toList();
        return Pareto.hypervolume(Pareto.front(losses).stream().map(losses::get).toList(), ref);
    }

    @Test
    void paretoRanksHypervolumeAndSubsetSelection() {
        List<double[]> points = List.of(new double[]{1, 4}, new double[]{2, 2}, new double[]{4, 1},
                new double[]{3, 3}, new double[]{2, 2}, new double[]{5, 5});
        assertThat(Pareto.ranks(points)).containsExactly(0, 0, 0, 1, 0, 2);
        assertThat(Pareto.front(points)).containsExactly(0, 1, 2, 4);
        // the union of the boxes up to (5, 5): 4·1 + 3·3 − overlap… counted by hand: 4 + 6 + 1 = 11
        assertThat(Pareto.hypervolume(points.subList(0, 3), new double[]{5, 5})).isEqualTo(11.0);
        assertThat(Pareto.hypervolume(List.of(new double[]{1, 1, 1}, new double[]{0, 2, 2}), new double[]{3, 3, 3}))
                .isEqualTo(8.0 + 3.0 - 2.0);
        // greedy HSSP takes the point adding most first: (2, 2) adds 9, then (1, 4) and (4, 1) add 1 each
        assertThat(Pareto.selectByHypervolume(points.subList(0, 3), 2, new double[]{5, 5})).containsExactly(1, 0);
        assertThat(Samplers.gamma(1)).isEqualTo(1);
        assertThat(Samplers.gamma(100)).isEqualTo(10);
        assertThat(Samplers.gamma(1000)).isEqualTo(25);
        assertThat(Samplers.defaultWeights(27)).startsWith(1.0 / 27).endsWith(1.0, 1.0);
    }
}
