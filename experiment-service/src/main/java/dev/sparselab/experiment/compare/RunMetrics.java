package dev.sparselab.experiment.compare;

import dev.sparselab.contracts.events.EventCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A run's metrics by the comparison's names ({@link CompareService#METRICS}: test accuracy and loss, sparsity, FLOPs,
 * bytes, training time and throughput, latency and speed-up): what comparisons aggregate and searches optimize.
 */
public final class RunMetrics {
    /** The columns {@link #read} reads, of {@code runs r} and {@code evaluations e}. */
    public static final String COLUMNS = "e.test_accuracy, e.test_loss, e.sparsity, e.cost::text, r.provenance::text, "
            + "e.latency::text, e.all_sparsity";

    private RunMetrics() {
    }

    /** The metrics of the row's {@link #COLUMNS}, which start at column {@code first}; empty without an evaluation. */
    public static Map<String, Double> read(ResultSet rs, int first) throws SQLException {
        return metrics(rs.getObject(first), rs.getObject(first + 1), rs.getObject(first + 2), rs.getString(first + 3),
                rs.getString(first + 4), rs.getString(first + 5), rs.getObject(first + 6));
    }

    static Map<String, Double> metrics(Object accuracy, Object loss, Object sparsity, String cost,
                                               String provenance, String latency, Object allSparsity) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (accuracy != null) {
            m.put("testAccuracy", ((Number) accuracy).doubleValue());
            m.put("testLoss", ((Number) loss).doubleValue());
            m.put("sparsity", ((Number) sparsity).doubleValue());
            m.put("allWeightsSparsity", ((Number) allSparsity).doubleValue());
        }
        if (cost != null) {
            JsonNode c = EventCodec.mapper().readTree(cost);
            m.put("denseFlops", c.get("denseFlops").asDouble());
            m.put("sparseFlops", c.get("sparseFlops").asDouble());
            m.put("flopReduction", c.get("denseFlops").asDouble() / Math.max(1, c.get("sparseFlops").asDouble()));
            m.put("compressedBytes", c.get("compressedBytes").asDouble());
            if (c.has("trainingFlopsRatio")) {
                m.put("trainingFlopsRatio", c.get("trainingFlopsRatio").asDouble());
            }
        }
        if (latency != null) {
            for (JsonNode l : EventCodec.mapper().readTree(latency)) {
                int batch = l.get("batch").asInt();
                m.put("latencyMsBatch" + batch, l.get("sparseMs").asDouble());
                m.put("speedupBatch" + batch, l.get("speedup").asDouble());
            }
        }
        if (provenance != null) {
            JsonNode p = EventCodec.mapper().readTree(provenance);
            m.put("trainSeconds", p.get("trainMillis").asDouble() / 1000.0);
            m.put("samplesPerSecond", p.get("samplesPerSecond").asDouble());
        }
        return m;
    }

}
