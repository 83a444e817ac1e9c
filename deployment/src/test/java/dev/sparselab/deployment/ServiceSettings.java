package dev.sparselab.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables a service reads: the {@code ${NAME:default}} placeholders of its configuration file
 * (e.g. trainer-service/src/main/resources/trainer-service.yaml), and the few the JVM, DJL or the NVIDIA runtime
 * read. A deployment that sets anything else sets a name nobody reads (a typo, or a setting that moved).
 */
final class ServiceSettings {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Set<String> RUNTIME = Set.of("JAVA_TOOL_OPTIONS", "NVIDIA_DRIVER_CAPABILITIES",
            "NVIDIA_VISIBLE_DEVICES", "DJL_CACHE_DIR", "DJL_OFFLINE", "PYTORCH_FLAVOR",
            // Spring Boot's own: where the compose services read their secrets from (configtree); the gateway's
            // actuator address (its yaml cannot name it: Boot refuses an address without a port of its own)
            "SPRING_CONFIG_IMPORT", "MANAGEMENT_SERVER_ADDRESS");

    private ServiceSettings() {
    }

    static Set<String> read(String service) {
        Set<String> names = new TreeSet<>(RUNTIME);
        Matcher m = PLACEHOLDER.matcher(Repo.read(service + "/src/main/resources/" + service + ".yaml"));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static void assertConsumed(String service, Collection<String> set) {
        assertThat(set).as("settings given to %s that it does not read", service).isSubsetOf(read(service));
    }
}
