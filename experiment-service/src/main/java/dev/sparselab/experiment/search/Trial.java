package dev.sparselab.experiment.search;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A completed trial as a sampler sees it: its values by spec path and its losses (one per objective, to minimize:
 * a maximized metric enters negated), in trial order.
 */
record Trial(int number, Map<String, JsonNode> params, double[] losses) {
}
