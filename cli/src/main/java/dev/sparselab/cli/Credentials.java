package dev.sparselab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the CLI (and the Python client) keep the server's address and the API token after {@code sparselab login}:
 * {@code $SPARSELAB_CONFIG/credentials.json}, by default {@code ~/.config/sparselab/credentials.json}, mode 0600.
 * {@code SPARSELAB_URL} and {@code SPARSELAB_TOKEN} (or {@code --url}, {@code --token}) take precedence.
 */
record Credentials(String url, String token) {
    static final String DEFAULT_URL = "http://localhost:8080";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Path file() {
        String dir = System.getProperty("sparselab.config", System.getenv("SPARSELAB_CONFIG"));
        Path base = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".config", "sparselab");
        return base.resolve("credentials.json");
    }

    static Credentials stored() {
        Path f = file();
        if (!Files.isRegularFile(f)) {
            return new Credentials(null, null);
        }
        try {
            JsonNode n = JSON.readTree(Files.readString(f));
            return new Credentials(n.path("url").asString(null), n.path("token").asString(null));
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot read " + f + ": " + e.getMessage(), 3);
        }
    }

    /** The options, else the environment, else the stored credentials, else the local default address. */
    static Credentials resolve(String url, String token) {
        Credentials stored = stored();
        String u = first(url, System.getenv("SPARSELAB_URL"), stored.url(), DEFAULT_URL);
        String t = first(token, System.getenv("SPARSELAB_TOKEN"), stored.token(), null);
        return new Credentials(u.replaceAll("/+$", ""), t);
    }

    void save() {
        Path f = file();
        try {
            Files.createDirectories(f.getParent());
            Files.deleteIfExists(f);
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, JSON.writeValueAsString(java.util.Map.of("url", url, "token", token)),
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new CliException("cannot write " + f + ": " + e.getMessage(), 3);
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
