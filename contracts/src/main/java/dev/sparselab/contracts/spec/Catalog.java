package dev.sparselab.contracts.spec;

import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the platform can run, derived from the spec schema so that the two never disagree: datasets,
 * models, optimizers, layer-wise distributions, and every sparsity method with a standalone JSON schema
 * of its parameters (defaults included).
 */
public final class Catalog {
    private Catalog() {
    }

    public static ObjectNode build(JsonNode specSchema) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode catalog = f.objectNode();
        // the sections stand alone: references into the schema's $defs (e.g. model.init) are inlined
        JsonNode props = inline(specSchema.get("properties"), specSchema.get("$defs"));

        ArrayNode datasets = catalog.putArray("datasets");
        datasets.addObject().put("name", DatasetSpec.FASHION_MNIST)
                .put("description", "Fashion-MNIST (Debian package dataset-fashion-mnist): 60,000 training and "
                        + "10,000 test images of 28x28 pixels, 10 classes");
        datasets.addObject().put("name", DatasetSpec.SYNTHETIC)
                .put("description", "seeded Gaussian mixture: 32 features, 10 classes, 4,000 training and 1,000 "
                        + "test examples; needs no files");
        datasets.addObject().put("name", DatasetSpec.CHAR_LM)
                .put("description", "character-level language modelling over a text file (bytes, vocabulary 256; "
                        + "default: songs-poems of Debian's fortunes package); 90 % trains, 10 % tests; "
                        + "reports bits per character and perplexity; for model type transformer");
        datasets.addObject().put("name", DatasetSpec.ASSOCIATIVE_RECALL)
                .put("description", "seeded key-to-value recall of 'pairs' pairs: 'memory' (a fixed table learned "
                        + "into the weights) or 'context' (pairs listed in each sequence, then queried); reports "
                        + "recall accuracy; for model type transformer");
        catalog.set("datasetSchema", props.get("dataset"));
        ArrayNode models = catalog.putArray("models");
        models.addObject().put("type", ModelSpec.MLP)
                .put("description", "fully connected layers fc1..fcN; every Linear weight is sparsified; an 'ffn' "
                        + "adds a residual conditional block (moe, switch, base, pkm, peer, fff) after every hidden "
                        + "layer")
                .set("schema", props.get("model"));
        models.addObject().put("type", ModelSpec.TRANSFORMER)
                .put("description", "decoder-only transformer for token data; feed-forward kinds dense, moe, "
                        + "switch, hash, base, pkm, peer, fff; attention patterns dense, window, strided, bigbird, "
                        + "topk")
                .set("schema", props.get("model"));
        catalog.set("training", props.get("training"));

        JsonNode sparsity = props.get("sparsity");
        catalog.set("distributions", sparsity.get("properties").get("distribution").get("enum"));
        ArrayNode methods = catalog.putArray("methods");
        JsonNode defs = specSchema.get("$defs");
        for (JsonNode name : sparsity.get("properties").get("method").get("enum")) {
            JsonNode def = defs.get("method-" + name.asString());
            ObjectNode schema = f.objectNode();
            schema.put("type", "object");
            ObjectNode properties = schema.putObject("properties");
            properties.putObject("method").put("const", name.asString());
            Iterator<Map.Entry<String, JsonNode>> common = sparsity.get("properties").properties().iterator();
            while (common.hasNext()) {
                Map.Entry<String, JsonNode> e = common.next();
                if (!e.getKey().equals("method") && !"dense".equals(name.asString())) {
                    properties.set(e.getKey(), e.getValue());
                }
            }
            def.get("properties").properties().forEach(e -> properties.set(e.getKey(), e.getValue()));
            schema.putArray("required").add("method");
            schema.put("additionalProperties", false);
            methods.addObject().put("name", name.asString())
                    .put("description", def.get("description").asString())
                    .set("schema", schema);
        }
        catalog.set("specSchema", specSchema);
        return catalog;
    }

    /** A copy of {@code node} with every local reference {@code #/$defs/NAME} replaced by that definition. */
    static JsonNode inline(JsonNode node, JsonNode defs) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isString() && ref.asString().startsWith("#/$defs/") && defs != null) {
                return inline(defs.get(ref.asString().substring("#/$defs/".length())), defs);
            }
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), inline(e.getValue(), defs)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> copy.add(inline(n, defs)));
            return copy;
        }
        return node;
    }
}
