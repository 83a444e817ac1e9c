package dev.sparselab.experiment.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * The points no other point dominates, for "more is better" on one axis and "less is better" on the other
 * (accuracy vs cost). A point dominates another when it is at least as good on both axes and better on one.
 */
final class ParetoFront {
    private ParetoFront() {
    }

    /**
     * @param benefit e.g. mean accuracy per point (higher is better)
     * @param cost    e.g. mean FLOPs per point (lower is better)
     * @return indices of the front, ordered by increasing cost
     */
    public static List<Integer> of(double[] benefit, double[] cost) {
        List<Integer> front = new ArrayList<>();
        for (int i = 0; i < benefit.length; i++) {
            if (Double.isNaN(benefit[i]) || Double.isNaN(cost[i])) {
                continue;
            }
            boolean dominated = false;
            for (int j = 0; j < benefit.length && !dominated; j++) {
                if (j != i && !Double.isNaN(benefit[j]) && !Double.isNaN(cost[j])
                        && benefit[j] >= benefit[i] && cost[j] <= cost[i]
                        && (benefit[j] > benefit[i] || cost[j] < cost[i])) {
                    dominated = true;
                }
            }
            if (!dominated) {
                front.add(i);
            }
        }
        front.sort((a, b) -> Double.compare(cost[a], cost[b]));
        return front;
    }
}
