package dev.sparselab.contracts.spec;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a spec from JSON or YAML text, validates it against {@code sparselab/spec.schema.json} and
 * returns the spec with defaults applied. Thread-safe; build one and share it.
 */
public final class SpecParser {
    public static final String SCHEMA_RESOURCE = "/sparselab/spec.schema.json";

    private final ObjectMapper json = JsonMapper.builder().build();
    private final ObjectMapper yaml = YAMLMapper.builder().build();
    private final JsonNode schemaNode;
    private final Schema schema;

    public SpecParser() {
        try (InputStream in = SpecParser.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + SCHEMA_RESOURCE);
            }
            schemaNode = json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaNode);
    }

    /** The published JSON schema of the spec. */
    public JsonNode schema() {
        return schemaNode;
    }

    /**
     * Parses and validates a spec.
     *
     * @param text   the body
     * @param isYaml whether the text is YAML (JSON otherwise; YAML is a superset, but JSON errors read better)
     * @throws InvalidSpecException listing every bad field
     */
    public ExperimentSpec parse(String text, boolean isYaml) {
        return validate(readTree(text, isYaml));
    }

    private JsonNode readTree(String text, boolean isYaml) {
        JsonNode tree;
        try {
            tree = (isYaml ? yaml : json).readTree(text == null ? "" : text);
        } catch (JacksonException e) {
            throw new InvalidSpecException(List.of(new FieldError("",
                    "malformed " + (isYaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage())));
        } catch (RuntimeException e) {
            // a parser failing with an unchecked exception is still the client's input, not a server error (seen:
            // snakeyaml-engine 3.0.1 on an emoji at its buffer boundary; the pom takes 3.2, which reads it)
            throw new InvalidSpecException(List.of(new FieldError("", "the " + (isYaml ? "YAML" : "JSON")
                    + " parser could not read this input (" + e.getClass().getSimpleName() + ")"
                    + (isYaml ? "; the same spec as JSON may work" : ""))));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new InvalidSpecException(List.of(new FieldError("", "the spec is empty")));
        }
        List<FieldError> numbers = new ArrayList<>();
        outOfRange(tree, "", numbers);
        if (!numbers.isEmpty()) {
            throw new InvalidSpecException(numbers);
        }
        return tree;
    }

    /** Numbers no field accepts, reported before the schema validator sees them (it cannot compare them). */
    private static void outOfRange(JsonNode node, String pointer, List<FieldError> errors) {
        if (errors.size() >= 20) {
            return;
        }
        if (node.isNumber()) {
            boolean ok = node.isIntegralNumber() ? node.canConvertToLong()
                    : Double.isFinite(node.doubleValue()) && Math.abs(node.doubleValue()) < 9.0e18;
            if (!ok) {
                errors.add(new FieldError(pointer, "the number " + node.asString() + " is out of range"));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                outOfRange(node.get(i), pointer + "/" + i, errors);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                outOfRange(e.getValue(), pointer + "/" + escape(e.getKey()), errors);
            }
        }
    }

    /** The largest number of runs one experiment may expand to. */
    public static final int MAX_RUNS = 1000;
    /** The largest model one run may train (trainable parameters; LeNet-300-100 has 266,610). */
    public static final long MAX_PARAMETERS = 50_000_000;

    /**
     * Parses, validates and expands an experiment: one {@link PlannedRun} per grid point and seed, each
     * validated on its own (a grid value that makes a run invalid is reported at {@code /sweep/grid/PATH}).
     */
    public Plan plan(String text, boolean isYaml) {
        JsonNode tree = readTree(text, isYaml);
        ExperimentSpec base = validate(tree);
        if (base.sweep() != null && base.sweep().search() != null) {
            checkSearch(tree, base);
            return new Plan(base, List.of());
        }
        List<Long> seeds = base.sweep() == null || base.sweep().seeds() == null
                ? List.of(base.training().seed()) : base.sweep().seeds();
        // counted before anything is expanded (a grid of many axes would not fit in memory)
        long count = seeds.size();
        try {
            for (JsonNode axis : tree.path("sweep").path("grid")) {
                count = Math.multiplyExact(count, Math.max(1, axis.size()));
            }
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_RUNS) {
            throw new InvalidSpecException(List.of(new FieldError("/sweep", "the sweep expands to "
                    + (count == Long.MAX_VALUE ? "too many" : Long.toString(count)) + " runs; at most " + MAX_RUNS
                    + " are allowed in one experiment")));
        }
        List<Map<String, JsonNode>> points = gridPoints(tree.path("sweep").path("grid"));
        List<PlannedRun> runs = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Map<String, JsonNode> point : points) {
            ExperimentSpec spec = base;
            if (!point.isEmpty()) {
                ObjectNode copy = (ObjectNode) tree.deepCopy();
                copy.remove("sweep");
                point.forEach((path, value) -> set(copy, path, value));
                try {
                    spec = validate(copy);
                } catch (InvalidSpecException e) {
                    for (FieldError f : e.errors()) {
                        String key = point.keySet().stream()
                                .filter(p -> f.pointer().startsWith("/" + p.replace('.', '/')))
                                .findFirst().orElse(null);
                        String at = key == null ? "/sweep/grid" : "/sweep/grid/" + escape(key);
                        // report each fault once, with the first grid point that shows it
                        if (seen.add(at + " " + f.pointer() + " " + f.message())) {
                            errors.add(new FieldError(at, "at grid point " + point + ": " + f.pointer() + " "
                                    + f.message()));
                        }
                    }
                    continue;
                }
            }
            String tooLarge = sizeError(spec);
            if (tooLarge != null) {
                String at = point.keySet().stream().filter(p -> p.startsWith("model."))
                        .map(p -> "/sweep/grid/" + escape(p)).findFirst().orElse("/model");
                if (seen.add(at + " size")) {
                    errors.add(new FieldError(at, (point.isEmpty() ? "" : "at grid point " + point + ": ") + tooLarge));
                }
                continue;
            }
            for (long seed : seeds) {
                runs.add(new PlannedRun(point, spec.forRun(seed)));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return new Plan(base, runs);
    }

    /** Why a run's model is too large to train here, or null. */
    private static String sizeError(ExperimentSpec spec) {
        // the sparse engine holds only the active connections: its limit counts those
        long parameters = ModelSize.heldParameters(spec);
        boolean sparse = spec.training().sparseEngine();
        if (parameters > MAX_PARAMETERS) {
            return "the model " + (sparse ? "holds " + parameters + " parameters on the sparse engine (its active "
                    + "connections at the target sparsity, biases and layers kept dense)"
                    : "has " + parameters + " parameters") + "; at most " + MAX_PARAMETERS + " are allowed";
        }
        if (sparse && ModelSize.largestLayer(spec) > Integer.MAX_VALUE) {
            return "a layer of the sparse engine holds at most " + Integer.MAX_VALUE
                    + " weights (dense count); this model has one of " + ModelSize.largestLayer(spec);
        }
        return null;
    }

    /**
     * A search's own rules, beyond the schema: no grid, at most one seed, sound ranges, and every bound and choice of
     * the space giving a valid run (reported at {@code /sweep/search/space/PATH}).
     */
    private void checkSearch(JsonNode tree, ExperimentSpec base) {
        List<FieldError> errors = new ArrayList<>();
        SweepSpec sweep = base.sweep();
        if (sweep.grid() != null && !sweep.grid().isEmpty()) {
            errors.add(new FieldError("/sweep/grid", "a sweep is a grid or a search, not both: put the grid's paths "
                    + "into the search's space as choices"));
        }
        if (sweep.seeds() != null && sweep.seeds().size() > 1) {
            errors.add(new FieldError("/sweep/seeds", "a search's trial is one run: give at most one seed"));
        }
        SearchSpec search = sweep.search();
        for (Map.Entry<String, SearchSpec.Param> e : search.space().entrySet()) {
            String at = "/sweep/search/space/" + escape(e.getKey());
            SearchSpec.Param p = e.getValue();
            List<JsonNode> probes = new ArrayList<>();
            switch (p.distribution()) {
                case SearchSpec.Param.CHOICE -> probes.addAll(p.values());
                case SearchSpec.Param.INT -> {
                    if (p.low() > p.high()) {
                        errors.add(new FieldError(at + "/high", "must be at least low"));
                        continue;
                    }
                    probes.add(json.getNodeFactory().numberNode(p.low().longValue()));
                    probes.add(json.getNodeFactory().numberNode(p.high().longValue()));
                }
                default -> {
                    if (!(p.low() < p.high())) {
                        errors.add(new FieldError(at + "/high", "must be greater than low"));
                        continue;
                    }
                    if (SearchSpec.Param.LOG_UNIFORM.equals(p.distribution()) && !(p.low() > 0)) {
                        errors.add(new FieldError(at + "/low", "must be positive for logUniform"));
                        continue;
                    }
                    probes.add(json.getNodeFactory().numberNode(p.low()));
                    probes.add(json.getNodeFactory().numberNode(p.high()));
                }
            }
            for (JsonNode value : probes) {
                try {
                    trialSpec(tree, Map.of(e.getKey(), value), 0);
                } catch (InvalidSpecException x) {
                    FieldError f = x.errors().get(0);
                    errors.add(new FieldError(at, "the value " + value + " makes an invalid run: "
                            + (f.pointer().isEmpty() ? "" : f.pointer() + " ") + f.message()));
                    break;
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    /**
     * The run of one trial of a search: the experiment's spec (as stored, or as submitted) without its sweep, the
     * trial's values set at their paths, validated, with the given seed.
     *
     * @throws InvalidSpecException when the values make an invalid run or a model too large
     */
    public ExperimentSpec trialSpec(JsonNode experiment, Map<String, JsonNode> point, long seed) {
        ObjectNode copy = (ObjectNode) experiment.deepCopy();
        copy.remove("sweep");
        copy.remove("force");
        point.forEach((path, value) -> set(copy, path, value));
        ExperimentSpec spec = validate(copy);
        String tooLarge = sizeError(spec);
        if (tooLarge != null) {
            throw new InvalidSpecException(List.of(new FieldError("/model", tooLarge)));
        }
        return spec.forRun(seed);
    }

    /** {@link #trialSpec(JsonNode, Map, long)} of a bound spec (as the experiment-service stores it). */
    public ExperimentSpec trialSpec(ExperimentSpec experiment, Map<String, JsonNode> point, long seed) {
        return trialSpec(json.valueToTree(experiment), point, seed);
    }

    private static List<Map<String, JsonNode>> gridPoints(JsonNode grid) {
        List<Map<String, JsonNode>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        if (!grid.isObject()) {
            return points;
        }
        for (Map.Entry<String, JsonNode> axis : grid.properties()) {
            List<Map<String, JsonNode>> next = new ArrayList<>();
            for (Map<String, JsonNode> p : points) {
                for (JsonNode value : axis.getValue()) {
                    Map<String, JsonNode> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), value);
                    next.add(q);
                }
            }
            points = next;
        }
        return points;
    }

    private static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], value);
    }

    /** Validates an already parsed tree and binds it. */
    public ExperimentSpec validate(JsonNode tree) {
        List<FieldError> errors = new ArrayList<>();
        List<FieldError> unknown = new ArrayList<>();
        for (Error e : schema.validate(tree)) {
            String pointer = pointer(e);
            if ("unevaluatedProperties".equals(e.getKeyword()) || "additionalProperties".equals(e.getKeyword())) {
                unknown.add(new FieldError(pointer, unknownFieldMessage(tree, pointer)));
            } else {
                errors.add(new FieldError(pointer, message(tree, pointer, e)));
            }
        }
        // a field that is invalid for its method is also "not evaluated": report it once, for its real fault; and a
        // valid parameter of the method beside an invalid one is "not evaluated" too (its branch failed): not unknown
        for (FieldError u : unknown) {
            if (errors.stream().noneMatch(f -> f.pointer().equals(u.pointer())) && !declaredByMethod(tree, u.pointer())) {
                errors.add(u);
            }
        }
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparing(FieldError::pointer));
            throw new InvalidSpecException(errors);
        }
        ExperimentSpec spec = json.treeToValue(tree, ExperimentSpec.class).withDefaults();
        List<FieldError> semantic = new ArrayList<>(ConditionalSize.check(spec));
        semantic.addAll(TrainingOptions.check(spec));
        if (!semantic.isEmpty()) {
            throw new InvalidSpecException(semantic);
        }
        return spec;
    }

    /** The validator's message, or a plainer one for the rules of conditional models and token data. */
    private static String message(JsonNode tree, String pointer, Error e) {
        String field = pointer.substring(pointer.lastIndexOf('/') + 1);
        if ("false".equals(e.getKeyword())) {
            String owner = pointer.startsWith("/model/ffn/") ? "ffn kind '" + tree.at("/model/ffn/kind").asString() + "'"
                    : pointer.startsWith("/model/attention/")
                    ? "attention pattern '" + tree.at("/model/attention/pattern").asString() + "'"
                    : pointer.startsWith("/dataset/") ? "dataset '" + tree.at("/dataset/name").asString() + "'"
                    : pointer.startsWith("/model/") ? "model type '" + tree.at("/model/type").asString() + "'"
                    : "this spec";
            return "'" + field + "' is not a parameter of " + owner + " (GET /api/v1/catalog lists the parameters)";
        }
        if ("/dataset/name".equals(pointer) && "not".equals(e.getKeyword())) {
            return "a transformer needs token data: char-lm or associative-recall";
        }
        if ("/model/type".equals(pointer) && "const".equals(e.getKeyword())) {
            return "token data (char-lm, associative-recall) needs model type transformer";
        }
        if ("/sparsity/method".equals(pointer) && "const".equals(e.getKeyword())
                && (tree.at("/model/ffn").isObject() || "transformer".equals(tree.at("/model/type").asString()))) {
            return "weight-sparsity methods are not available for transformers and conditional blocks: use 'dense'";
        }
        if ("/model/ffn/kind".equals(pointer) && "enum".equals(e.getKeyword()) && "hash".equals(
                tree.at("/model/ffn/kind").asString())) {
            return "an mlp cannot use hash routing (it needs token ids); use moe, switch, base, pkm, peer or fff";
        }
        return e.getMessage();
    }

    /** Whether {@code pointer} is /sparsity/FIELD and the spec's method declares FIELD as a parameter. */
    private boolean declaredByMethod(JsonNode tree, String pointer) {
        JsonNode method = tree.at("/sparsity/method");
        if (!pointer.startsWith("/sparsity/") || pointer.indexOf('/', "/sparsity/".length()) >= 0 || !method.isString()) {
            return false;
        }
        String field = pointer.substring("/sparsity/".length());
        return schemaNode.at("/$defs/method-" + method.asString() + "/properties").has(field);
    }

    private static String unknownFieldMessage(JsonNode tree, String pointer) {
        String field = pointer.substring(pointer.lastIndexOf('/') + 1);
        JsonNode method = tree.at("/sparsity/method");
        if (pointer.startsWith("/sparsity/") && method.isString()) {
            return "'" + field + "' is not a parameter of sparsity method '" + method.asString()
                    + "' (GET /api/v1/catalog lists each method's parameters)";
        }
        return "unknown field '" + field + "'";
    }

    private static String pointer(Error e) {
        StringBuilder sb = new StringBuilder();
        NodePath path = e.getInstanceLocation();
        for (int i = 0; i < path.getNameCount(); i++) {
            sb.append('/').append(escape(String.valueOf(path.getElement(i))));
        }
        String keyword = e.getKeyword();
        if (e.getProperty() != null && ("required".equals(keyword) || "additionalProperties".equals(keyword)
                || "unevaluatedProperties".equals(keyword) || "propertyNames".equals(keyword))) {
            sb.append('/').append(escape(e.getProperty()));
        }
        return sb.toString();
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
