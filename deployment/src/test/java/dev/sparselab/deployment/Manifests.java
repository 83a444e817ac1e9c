package dev.sparselab.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

/** Renders the kustomize overlays and parses what they render. */
final class Manifests {
    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();
    static final KubernetesSerialization KUBE = new KubernetesSerialization();
    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {
    }

    /** Every object {@code kubectl kustomize k8s/overlays/<overlay>} renders. */
    static List<JsonNode> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> parse(Repo.output("kubectl", "kustomize", "k8s/overlays/" + o)));
    }

    static List<JsonNode> parse(String yaml) {
        try {
            return StreamSupport.stream(
                            java.util.Spliterators.spliteratorUnknownSize(
                                    YAML.readerFor(JsonNode.class).readValues(yaml), 0), false)
                    .map(JsonNode.class::cast)
                    .filter(n -> !n.isNull() && !n.isMissingNode())
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream().filter(o -> name.equals(o.at("/metadata/name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static String id(JsonNode o) {
        return o.path("kind").asText() + "/" + o.at("/metadata/name").asText();
    }

    /**
     * Parses an object into its model class (fabric8's for Kubernetes' own kinds, Strimzi's for Strimzi's) and
     * lists the fields the model does not know, by path. An object of a kind without a model class is one
     * problem ("no model class").
     */
    static List<String> strictProblems(JsonNode object) {
        KubernetesResource parsed = parseModel(object);
        if (parsed instanceof GenericKubernetesResource) {
            return List.of(id(object) + ": no model class for " + object.path("apiVersion").asText());
        }
        List<String> problems = new ArrayList<>();
        unknownFields(parsed, id(object), problems);
        return problems;
    }

    /** The objects' classes, as parsed (for tests that want to know which model validated what). */
    static Class<?> modelClass(JsonNode object) {
        return parseModel(object).getClass();
    }

    /** Strimzi's model classes, by kind (fabric8 resolves Kubernetes' own kinds by itself). */
    private static final Map<String, Class<? extends KubernetesResource>> STRIMZI = Map.of(
            "Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class,
            "KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class,
            "KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class);

    private static KubernetesResource parseModel(JsonNode object) {
        Class<? extends KubernetesResource> type = object.path("apiVersion").asText().startsWith("kafka.strimzi.io/")
                ? STRIMZI.getOrDefault(object.path("kind").asText(), GenericKubernetesResource.class)
                : KubernetesResource.class;
        return KUBE.unmarshal(object.toString(), type);
    }

    /** Walks a parsed model and reports every non-empty {@code additionalProperties}: fields no schema has. */
    private static void unknownFields(Object value, String path, List<String> problems) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "/" + k, problems));
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) {
                unknownFields(v, path + "/" + i++, problems);
            }
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8") && !pkg.startsWith("io.strimzi")) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.isBridge()
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.getName();
            boolean getter = name.startsWith("get") && name.length() > 3 || name.startsWith("is") && name.length() > 2;
            if (!getter) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (name.equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else if (!(name.startsWith("is")) && v != value) {
                String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
                unknownFields(v, path + "/" + field, problems);
            }
        }
    }

    /** Runs the CRD schema validators (deployment/crd-check) over the given objects; one line per object. */
    static Repo.Result validateCustomResources(List<JsonNode> objects) {
        try {
            Path file = Files.createTempFile("crs", ".json");
            ArrayNode array = JSON.createArrayNode();
            objects.forEach(array::add);
            Files.writeString(file, array.toString());
            Repo.Result r = Repo.run(List.of("node", "deployment/crd-check/validate.mjs", file.toString()));
            Files.delete(file);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean isCustom(JsonNode o) {
        String group = o.path("apiVersion").asText().split("/")[0];
        return group.equals("kafka.strimzi.io") || group.equals("postgresql.cnpg.io") || group.equals("keda.sh");
    }
}
