package dev.sparselab.experiment.search;

import dev.sparselab.contracts.spec.SearchSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A search space as the samplers see it: its dimensions in the order of their spec paths (sorted, so that the order
 * does not depend on how the spec was stored), each numeric one on its internal scale (log for {@code logUniform}).
 */
final class Space {
    enum Kind { FLOAT, LOG, INT, CHOICE }

    /**
     * One dimension. For numbers, {@code low}/{@code high} are on the internal scale; an {@code int} dimension has
     * {@code step} (its values are low, low + step, …, not above high).
     */
    record Dim(String path, Kind kind, double low, double high, double step, List<JsonNode> choices, double specLow,
               double specHigh) {
        Dim(String path, Kind kind, double low, double high, double step, List<JsonNode> choices) {
            this(path, kind, low, high, step, choices, low, high);
        }

        /** How many values a discrete dimension has. */
        int size() {
            return kind == Kind.CHOICE ? choices.size() : (int) Math.floor((high - low) / step + 1e-9) + 1;
        }

        /** The largest value of an int dimension (on its grid). */
        double top() {
            return low + (size() - 1) * step;
        }

        /** The spec value of an internal value (a choice's index for choices). */
        JsonNode value(double x) {
            return switch (kind) {
                case FLOAT -> JsonNodeFactory.instance.numberNode(x);
                case LOG -> JsonNodeFactory.instance.numberNode(Math.min(specHigh, Math.max(specLow, Math.exp(x))));
                case INT -> JsonNodeFactory.instance.numberNode(Math.round(x));
                case CHOICE -> choices.get((int) x);
            };
        }

        /** The internal value of a spec value (NaN when it is not one of this dimension's values). */
        double internal(JsonNode v) {
            if (v == null) {
                return Double.NaN;
            }
            return switch (kind) {
                case FLOAT, INT -> v.isNumber() ? v.asDouble() : Double.NaN;
                case LOG -> v.isNumber() && v.asDouble() > 0 ? Math.log(v.asDouble()) : Double.NaN;
                case CHOICE -> {
                    for (int i = 0; i < choices.size(); i++) {
                        JsonNode c = choices.get(i);
                        if (c.equals(v) || c.isNumber() && v.isNumber() && c.asDouble() == v.asDouble()) {
                            yield i;
                        }
                    }
                    yield Double.NaN;
                }
            };
        }
    }

    private final List<Dim> dims;

    Space(Map<String, SearchSpec.Param> space) {
        List<Dim> d = new ArrayList<>();
        new TreeMap<>(space).forEach((path, p) -> d.add(switch (p.distribution()) {
            case SearchSpec.Param.UNIFORM -> new Dim(path, Kind.FLOAT, p.low(), p.high(), 0, List.of());
            case SearchSpec.Param.LOG_UNIFORM -> new Dim(path, Kind.LOG, Math.log(p.low()), Math.log(p.high()), 0,
                    List.of(), p.low(), p.high());
            case SearchSpec.Param.INT -> new Dim(path, Kind.INT, p.low(), p.high(), p.step() == null ? 1 : p.step(),
                    List.of());
            case SearchSpec.Param.CHOICE -> new Dim(path, Kind.CHOICE, 0, p.values().size() - 1, 1, p.values());
            default -> throw new IllegalArgumentException("unknown distribution " + p.distribution());
        }));
        this.dims = List.copyOf(d);
    }

    List<Dim> dims() {
        return dims;
    }
}
