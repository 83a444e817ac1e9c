package dev.sparselab.experiment.compare;

import java.util.List;

/**
 * Summary statistics of a sample: mean, sample standard deviation (n - 1), and the two-sided 95%
 * confidence interval of the mean, mean ± t(0.975, n - 1) * std / sqrt(n) (Student's t; no interval for n = 1).
 *
 * @param ci95 {@code [low, high]}, or null when n &lt; 2
 */
record Stats(int n, double mean, double std, double[] ci95) {
    /** t(0.975, df) for df = 1..30. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
            2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

    public static Stats of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new Stats(0, Double.NaN, Double.NaN, null);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        if (n == 1) {
            return new Stats(1, mean, 0.0, null);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(ss / (n - 1));
        double half = t975(n - 1) * std / Math.sqrt(n);
        return new Stats(n, mean, std, new double[]{mean - half, mean + half});
    }

    /** Student's t quantile 0.975: a table up to 30 degrees of freedom, Cornish-Fisher expansion beyond. */
    static double t975(int df) {
        if (df <= 30) {
            return T975[df - 1];
        }
        double z = 1.959964;
        return z + (z * z * z + z) / (4.0 * df) + (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / (96.0 * df * df);
    }
}
