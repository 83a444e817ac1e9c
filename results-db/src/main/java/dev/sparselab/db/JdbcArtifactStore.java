package dev.sparselab.db;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The default {@link ArtifactStore}: PostgreSQL {@code bytea} in table {@code artifacts}. */
public class JdbcArtifactStore implements ArtifactStore {
    private final JdbcClient jdbc;

    public JdbcArtifactStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String put(String kind, byte[] content) {
        String sha = sha256(content);
        jdbc.sql("""
                insert into artifacts (sha256, kind, size_bytes, content) values (?, ?, ?, ?)
                on conflict (sha256) do nothing""")
                .params(sha, kind, content.length, content)
                .update();
        return sha;
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        return jdbc.sql("select content from artifacts where sha256 = ?").param(sha256)
                .query((rs, i) -> rs.getBytes(1)).optional();
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
