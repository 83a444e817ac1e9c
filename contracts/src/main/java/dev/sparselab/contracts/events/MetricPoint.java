package dev.sparselab.contracts.events;

/**
 * One point of a metric series.
 *
 * @param name  e.g. {@code train.loss}, {@code train.accuracy}, {@code sparsity}
 * @param step  the optimizer step at which it was measured (the series' x axis)
 * @param epoch the epoch it belongs to (1-based)
 * @param value the value
 */
public record MetricPoint(String name, long step, int epoch, double value) {
}
