package dev.sparselab.db;

import java.util.Optional;

/** Content-addressed blob storage: the key of a blob is the sha256 of its bytes. Thread-safe. */
public interface ArtifactStore {
    /** Stores the blob (idempotent) and returns its sha256. */
    String put(String kind, byte[] content);

    Optional<byte[]> get(String sha256);
}
