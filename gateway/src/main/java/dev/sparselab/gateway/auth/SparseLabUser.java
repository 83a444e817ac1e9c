package dev.sparselab.gateway.auth;

import java.io.Serializable;
import java.util.UUID;

/** An authenticated user (kept in the web UI's session, so serializable). */
public record SparseLabUser(UUID id, String username, boolean admin) implements Serializable {
}
