package dev.sparselab.core.cond;

import java.util.Arrays;

/**
 * What one conditional block did since the last reset: tokens routed to each expert (before capacity;
 * for fff, the leaf each token's hard path reaches), choices dropped for capacity, and its auxiliary loss.
 */
public final class LayerStats {
    private final String name;
    private final long[] load;
    private long choices;
    private long dropped;
    private double auxSum;
    private long auxCount;

    LayerStats(String name, int experts) {
        this.name = name;
        this.load = new long[experts];
    }

    public String name() {
        return name;
    }

    synchronized void add(long[] routed, long totalChoices, long droppedChoices) {
        for (int e = 0; e < load.length; e++) {
            load[e] += routed[e];
        }
        choices += totalChoices;
        dropped += droppedChoices;
    }

    synchronized void addAux(double value) {
        auxSum += value;
        auxCount++;
    }

    /** Fraction of the routed choices each expert received. */
    public synchronized double[] loadFractions() {
        long total = Arrays.stream(load).sum();
        return Arrays.stream(load).mapToDouble(l -> total == 0 ? 0 : (double) l / total).toArray();
    }

    public synchronized double droppedFraction() {
        return choices == 0 ? 0 : (double) dropped / choices;
    }

    /** Mean auxiliary loss per step, NaN when the block has none. */
    public synchronized double auxLoss() {
        return auxCount == 0 ? Double.NaN : auxSum / auxCount;
    }

    /** Fraction of the experts (memories) that received at least one token. */
    public synchronized double coverage() {
        return load.length == 0 ? 0 : (double) Arrays.stream(load).filter(l -> l > 0).count() / load.length;
    }

    /** max load / mean load: 1 is perfectly balanced. */
    public synchronized double imbalance() {
        double[] f = loadFractions();
        double max = Arrays.stream(f).max().orElse(0);
        return f.length == 0 ? 1 : max * f.length;
    }

    public synchronized void reset() {
        Arrays.fill(load, 0);
        choices = 0;
        dropped = 0;
        auxSum = 0;
        auxCount = 0;
    }
}
