package dev.sparselab.core.sparsity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads a target sparsity S over layers (METHODS.md section 1) and returns the exact number of zeros
 * per layer. Over the non-dense layers the zeros always add up to exactly {@code round(S * sum N_l)}:
 * the per-layer densities are rounded with the largest-remainder method.
 *
 * <ul>
 *   <li>{@code uniform}: every non-dense layer gets density 1 - S.
 *   <li>{@code er}: raw_l = (n_in + n_out) / (n_in n_out); {@code erk}: raw_l = sum(dims) / prod(dims).
 *       eps = (1 - S) sum N_l / sum raw_l N_l; a layer whose eps raw_l exceeds 1 becomes dense and is
 *       removed from both sums, and eps is solved again; density_l = eps raw_l.
 * </ul>
 */
public final class Distributions {
    public static final String UNIFORM = "uniform";
    public static final String ER = "er";
    public static final String ERK = "erk";

    private Distributions() {
    }

    /** Resolves {@code first}/{@code last}/names to the set of layer names kept dense. */
    public static Set<String> denseSet(List<LayerShape> layers, List<String> denseLayers) {
        Set<String> dense = new HashSet<>();
        if (denseLayers == null) {
            return dense;
        }
        for (String d : denseLayers) {
            switch (d) {
                case "first" -> dense.add(layers.get(0).name());
                case "last" -> dense.add(layers.get(layers.size() - 1).name());
                default -> {
                    if (layers.stream().noneMatch(l -> l.name().equals(d))) {
                        throw new IllegalArgumentException("denseLayers names '" + d + "', but the model's layers are "
                                + layers.stream().map(LayerShape::name).toList());
                    }
                    dense.add(d);
                }
            }
        }
        return dense;
    }

    /** Densities (fraction of non-zeros) per layer, before rounding to counts. */
    public static Map<String, Double> densities(List<LayerShape> layers, double sparsity, String distribution,
                                                Set<String> dense) {
        Map<String, Double> out = new LinkedHashMap<>();
        List<LayerShape> sparse = new ArrayList<>();
        for (LayerShape l : layers) {
            if (dense.contains(l.name())) {
                out.put(l.name(), 1.0);
            } else {
                sparse.add(l);
            }
        }
        if (UNIFORM.equals(distribution)) {
            sparse.forEach(l -> out.put(l.name(), 1.0 - sparsity));
            return reorder(layers, out);
        }
        if (!ER.equals(distribution) && !ERK.equals(distribution)) {
            throw new IllegalArgumentException("unknown distribution '" + distribution + "'");
        }
        Set<String> forcedDense = new HashSet<>();
        while (true) {
            double budget = 0;   // non-zeros to place among layers that are not forced dense
            double rawSum = 0;
            for (LayerShape l : sparse) {
                if (forcedDense.contains(l.name())) {
                    budget -= l.count();
                } else {
                    rawSum += raw(l, distribution) * l.count();
                }
                budget += (1.0 - sparsity) * l.count();
            }
            double eps = budget / rawSum;
            LayerShape worst = sparse.stream().filter(l -> !forcedDense.contains(l.name()))
                    .max(Comparator.comparingDouble(l -> raw(l, distribution))).orElseThrow();
            if (eps * raw(worst, distribution) > 1.0) {
                forcedDense.add(worst.name());
                continue;
            }
            for (LayerShape l : sparse) {
                out.put(l.name(), forcedDense.contains(l.name()) ? 1.0 : eps * raw(l, distribution));
            }
            return reorder(layers, out);
        }
    }

    /** Exact numbers of zeros per layer; dense layers get 0. */
    public static Map<String, Integer> zeros(List<LayerShape> layers, double sparsity, String distribution,
                                             Set<String> dense) {
        Map<String, Double> density = densities(layers, sparsity, distribution, dense);
        long total = 0;
        for (LayerShape l : layers) {
            if (!dense.contains(l.name())) {
                total += l.count();
            }
        }
        long targetZeros = Math.round(sparsity * total);
        Map<String, Integer> zeros = new LinkedHashMap<>();
        List<double[]> remainders = new ArrayList<>(); // [layer index, fractional part]
        long placed = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerShape l = layers.get(i);
            double exact = (1.0 - density.get(l.name())) * l.count();
            int floor = (int) Math.floor(exact + 1e-9);
            zeros.put(l.name(), floor);
            placed += floor;
            if (!dense.contains(l.name()) && density.get(l.name()) < 1.0) {
                remainders.add(new double[]{i, exact - floor});
            }
        }
        remainders.sort((a, b) -> Double.compare(b[1], a[1]));
        for (int j = 0; placed < targetZeros && j < remainders.size(); j++) {
            String name = layers.get((int) remainders.get(j)[0]).name();
            zeros.merge(name, 1, Integer::sum);
            placed++;
        }
        return zeros;
    }

    private static double raw(LayerShape l, String distribution) {
        return ER.equals(distribution) ? l.er() : l.erk();
    }

    private static Map<String, Double> reorder(List<LayerShape> layers, Map<String, Double> values) {
        Map<String, Double> ordered = new LinkedHashMap<>();
        layers.forEach(l -> ordered.put(l.name(), values.get(l.name())));
        return ordered;
    }
}
