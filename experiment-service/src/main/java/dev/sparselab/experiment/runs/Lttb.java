package dev.sparselab.experiment.runs;

import java.util.ArrayList;
import java.util.List;

/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last point and,
 * from each of {@code threshold - 2} equal buckets in between, the point forming the largest triangle
 * with the point kept from the previous bucket and the mean of the next bucket. Preserves the visual
 * shape (peaks, drops) of a series far better than taking every n-th point. Pure; thread-safe.
 */
final class Lttb {
    private Lttb() {
    }

    /** Returns at most {@code threshold} points of {@code points} (sorted by step); all of them if fewer. */
    public static List<RunQueries.SeriesPoint> downsample(List<RunQueries.SeriesPoint> points, int threshold) {
        int n = points.size();
        if (threshold >= n || threshold <= 0) {
            return points;
        }
        if (threshold < 3) {
            return threshold == 1 ? List.of(points.get(n - 1)) : List.of(points.get(0), points.get(n - 1));
        }
        List<RunQueries.SeriesPoint> out = new ArrayList<>(threshold);
        double bucket = (double) (n - 2) / (threshold - 2);
        int a = 0;
        out.add(points.get(0));
        for (int i = 0; i < threshold - 2; i++) {
            int start = (int) Math.floor(i * bucket) + 1;
            int end = (int) Math.floor((i + 1) * bucket) + 1;
            int nextStart = end;
            int nextEnd = Math.min((int) Math.floor((i + 2) * bucket) + 1, n);
            double avgX = 0;
            double avgY = 0;
            int count = Math.max(1, nextEnd - nextStart);
            if (nextEnd > nextStart) {
                for (int j = nextStart; j < nextEnd; j++) {
                    avgX += points.get(j).step();
                    avgY += points.get(j).value();
                }
                avgX /= count;
                avgY /= count;
            } else {
                avgX = points.get(n - 1).step();
                avgY = points.get(n - 1).value();
            }
            RunQueries.SeriesPoint pa = points.get(a);
            double best = -1;
            int chosen = start;
            for (int j = start; j < end; j++) {
                RunQueries.SeriesPoint p = points.get(j);
                double area = Math.abs((pa.step() - avgX) * (p.value() - pa.value())
                        - (pa.step() - p.step()) * (avgY - pa.value()));
                if (area > best) {
                    best = area;
                    chosen = j;
                }
            }
            out.add(points.get(chosen));
            a = chosen;
        }
        out.add(points.get(n - 1));
        return out;
    }
}
