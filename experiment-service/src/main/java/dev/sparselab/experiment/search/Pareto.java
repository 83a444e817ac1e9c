package dev.sparselab.experiment.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Pareto dominance over losses (every objective minimized), non-domination ranks, hypervolume (exact, up to three
 * objectives) and greedy hypervolume subset selection, as Optuna's multi-objective TPE uses them.
 */
final class Pareto {
    private Pareto() {
    }

    /** Whether {@code a} is at least as good as {@code b} in every objective and better in one. */
    static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            better |= a[i] < b[i];
        }
        return better;
    }

    /** Each point's non-domination rank: 0 for the Pareto set, 1 for the set once those are removed, … */
    static int[] ranks(List<double[]> points) {
        int n = points.size();
        int[] rank = new int[n];
        int[] dominatedBy = new int[n];
        List<List<Integer>> dominating = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dominating.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && dominates(points.get(i), points.get(j))) {
                    dominating.get(i).add(j);
                    dominatedBy[j]++;
                }
            }
        }
        List<Integer> current = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (dominatedBy[i] == 0) {
                current.add(i);
            }
        }
        for (int r = 0; !current.isEmpty(); r++) {
            List<Integer> next = new ArrayList<>();
            for (int i : current) {
                rank[i] = r;
                for (int j : dominating.get(i)) {
                    if (--dominatedBy[j] == 0) {
                        next.add(j);
                    }
                }
            }
            current = next;
        }
        return rank;
    }

    /** The indices of the points no other point dominates, in their order. */
    static List<Integer> front(List<double[]> points) {
        int[] rank = ranks(points);
        List<Integer> front = new ArrayList<>();
        for (int i = 0; i < rank.length; i++) {
            if (rank[i] == 0) {
                front.add(i);
            }
        }
        return front;
    }

    /** Optuna's reference point: 10% beyond the worst value of each objective (towards worse). */
    static double[] referencePoint(List<double[]> points) {
        double[] ref = new double[points.get(0).length];
        Arrays.fill(ref, Double.NEGATIVE_INFINITY);
        for (double[] p : points) {
            for (int i = 0; i < ref.length; i++) {
                ref[i] = Math.max(ref[i], p[i]);
            }
        }
        for (int i = 0; i < ref.length; i++) {
            ref[i] = ref[i] == 0 ? 1e-12 : Math.max(1.1 * ref[i], 0.9 * ref[i]);
        }
        return ref;
    }

    /** The volume the points dominate up to {@code ref} (points not better than ref in every objective add nothing). */
    static double hypervolume(List<double[]> points, double[] ref) {
        List<double[]> in = points.stream().filter(p -> {
            for (int i = 0; i < ref.length; i++) {
                if (!(p[i] < ref[i])) {
                    return false;
                }
            }
            return true;
        }).toList();
        if (in.isEmpty()) {
            return 0;
        }
        return switch (ref.length) {
            case 1 -> ref[0] - in.stream().mapToDouble(p -> p[0]).min().orElseThrow();
            case 2 -> hv2(in, ref[0], ref[1]);
            case 3 -> hv3(in, ref);
            default -> throw new IllegalArgumentException("hypervolume of more than three objectives");
        };
    }

    private static double hv2(List<double[]> points, double r0, double r1) {
        List<double[]> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        double volume = 0;
        double bestY = r1;
        for (double[] p : sorted) {
            if (p[1] < bestY) {
                volume += (r0 - p[0]) * (bestY - p[1]);
                bestY = p[1];
            }
        }
        return volume;
    }

    /** Slices along the third objective: each slab's 2-D hypervolume of the points at or below it. */
    private static double hv3(List<double[]> points, double[] ref) {
        List<double[]> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(p -> p[2]));
        double volume = 0;
        List<double[]> below = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            below.add(sorted.get(i));
            double top = i + 1 < sorted.size() ? sorted.get(i + 1)[2] : ref[2];
            if (top > sorted.get(i)[2]) {
                volume += hv2(below, ref[0], ref[1]) * (top - sorted.get(i)[2]);
            }
        }
        return volume;
    }

    /**
     * Greedy hypervolume subset selection (Optuna's {@code _solve_hssp}): {@code k} of the points, each step the one
     * adding the most hypervolume (ties: the lower index). Returns their indices in the order chosen.
     */
    static List<Integer> selectByHypervolume(List<double[]> points, int k, double[] ref) {
        List<Integer> chosen = new ArrayList<>();
        List<double[]> set = new ArrayList<>();
        boolean[] taken = new boolean[points.size()];
        double base = 0;
        while (chosen.size() < Math.min(k, points.size())) {
            int best = -1;
            double bestGain = -1;
            for (int i = 0; i < points.size(); i++) {
                if (taken[i]) {
                    continue;
                }
                set.add(points.get(i));
                double gain = hypervolume(set, ref) - base;
                set.remove(set.size() - 1);
                if (gain > bestGain) {
                    bestGain = gain;
                    best = i;
                }
            }
            taken[best] = true;
            chosen.add(best);
            set.add(points.get(best));
            base = hypervolume(set, ref);
        }
        return chosen;
    }
}
