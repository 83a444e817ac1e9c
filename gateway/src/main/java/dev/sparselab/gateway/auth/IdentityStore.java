package dev.sparselab.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Users, projects, memberships, API tokens and the audit log, in PostgreSQL. Passwords are stored as Argon2id
 * hashes; of a token only its SHA-256 (a token is 256 random bits, so a fast hash is enough) and its first
 * characters are kept: the token itself is shown once, when it is created.
 */
@Component
public class IdentityStore {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    public static final String TOKEN_PREFIX = "slt_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    /** compared against when a user does not exist, so that the answer takes as long as for a wrong password */
    private final String dummyHash;

    private final java.time.Clock clock;

    IdentityStore(JdbcClient jdbc, PasswordEncoder passwords, java.time.Clock clock) {
        this.clock = clock;
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.dummyHash = passwords.encode("not a password " + UUID.randomUUID());
    }

    public record ProjectRole(UUID id, String name, String role) {
    }

    public record TokenInfo(UUID id, String name, String prefix, Instant createdAt, Instant expiresAt,
                            Instant revokedAt, Instant lastUsedAt) {
    }

    /** A new token: {@code token} is the secret, returned this once. */
    public record NewToken(UUID id, String name, String token, String prefix, Instant expiresAt) {
    }

    public record UserInfo(UUID id, String username, boolean admin, boolean canLogIn, Instant createdAt,
                           List<ProjectRole> projects) {
    }

    public long userCount() {
        return jdbc.sql("select count(*) from users").query(Long.class).single();
    }

    public Optional<SparseLabUser> user(String username) {
        return jdbc.sql("select id, username, admin from users where username = ? and disabled_at is null")
                .param(username).query((rs, i) -> new SparseLabUser(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getBoolean(3))).optional();
    }

    /** An identity provider's user linked to an account: the provider's issuer and its subject there. */
    public record IdentityLink(String issuer, String subject, Instant createdAt) {
    }

    /** The (enabled) account linked to the identity {@code subject} of {@code issuer}. */
    public Optional<SparseLabUser> linkedUser(String issuer, String subject) {
        return jdbc.sql("""
                        select u.id, u.username, u.admin from identity_links l join users u on u.id = l.user_id
                        where l.issuer = ? and l.subject = ? and u.disabled_at is null""")
                .params(issuer, subject).query((rs, i) -> new SparseLabUser(rs.getObject(1, UUID.class),
                        rs.getString(2), rs.getBoolean(3))).optional();
    }

    /** Links an identity to an account; false when the identity is linked already (to this or another account). */
    public boolean link(String issuer, String subject, UUID user) {
        return jdbc.sql("insert into identity_links (issuer, subject, user_id) values (?, ?, ?) on conflict do nothing")
                .params(issuer, subject, user).update() == 1;
    }

    /**
     * Creates an account (not an administrator, with its own project) and links the identity to it, in one
     * transaction: when the name is taken or the identity linked meanwhile, nothing is created.
     */
    @Transactional
    public SparseLabUser createLinkedUser(String username, String issuer, String subject) {
        SparseLabUser user = createUser(username, null, false);
        jdbc.sql("insert into identity_links (issuer, subject, user_id) values (?, ?, ?)")
                .params(issuer, subject, user.id()).update();
        return user;
    }

    public boolean unlink(String issuer, String subject, UUID user) {
        return jdbc.sql("delete from identity_links where issuer = ? and subject = ? and user_id = ?")
                .params(issuer, subject, user).update() == 1;
    }

    public List<IdentityLink> links(UUID user) {
        return jdbc.sql("select issuer, subject, created_at from identity_links where user_id = ? order by created_at")
                .param(user).query((rs, i) -> new IdentityLink(rs.getString(1), rs.getString(2),
                        rs.getTimestamp(3).toInstant())).list();
    }

    /** The user if the password is theirs (the time taken does not tell whether the user exists). */
    public Optional<SparseLabUser> checkPassword(String username, String password) {
        Optional<String> hash = jdbc.sql("select password_hash from users where username = ? and disabled_at is null "
                + "and password_hash is not null").param(username).query(String.class).optional();
        boolean matches = passwords.matches(password, hash.orElse(dummyHash));
        return matches && hash.isPresent() ? user(username) : Optional.empty();
    }

    /**
     * Creates a user and their own project (named like them, where they are admin).
     *
     * @param password null: the user logs in with tokens (or an identity provider's JWTs) only
     */
    @Transactional
    public SparseLabUser createUser(String username, String password, boolean admin) {
        if (username == null || !NAME.matcher(username).matches()) {
            throw ApiException.invalid("/username", "must be 1-63 characters of a-z, 0-9, '.', '_', '-', "
                    + "starting with a letter or digit");
        }
        if (password != null && password.length() < 12) {
            throw ApiException.invalid("/password", "must be at least 12 characters");
        }
        if (user(username).isPresent() || projectId(username).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "the name '" + username + "' is taken");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into users (id, username, password_hash, admin) values (?, ?, ?, ?)")
                .params(id, username, password == null ? null : passwords.encode(password), admin).update();
        SparseLabUser user = new SparseLabUser(id, username, admin);
        createProject(username, user);
        return user;
    }

    public void setPassword(UUID user, String password) {
        if (password == null || password.length() < 12) {
            throw ApiException.invalid("/password", "must be at least 12 characters");
        }
        jdbc.sql("update users set password_hash = ? where id = ?").params(passwords.encode(password), user).update();
    }

    public List<UserInfo> users() {
        return jdbc.sql("select id, username, admin, password_hash is not null, created_at from users order by username")
                .query((rs, i) -> new UserInfo(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3),
                        rs.getBoolean(4), rs.getTimestamp(5).toInstant(), List.of()))
                .list().stream().map(u -> new UserInfo(u.id(), u.username(), u.admin(), u.canLogIn(), u.createdAt(),
                        projects(u.id()))).toList();
    }

    public Optional<UUID> projectId(String name) {
        return jdbc.sql("select id from projects where name = ?").param(name).query(UUID.class).optional();
    }

    /** Creates a project; its creator becomes its admin. */
    @Transactional
    public UUID createProject(String name, SparseLabUser creator) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.invalid("/name", "must be 1-63 characters of a-z, 0-9, '.', '_', '-', "
                    + "starting with a letter or digit");
        }
        if (projectId(name).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "a project named '" + name + "' exists");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into projects (id, name) values (?, ?)").params(id, name).update();
        jdbc.sql("insert into memberships (project_id, user_id, role) values (?, ?, 'admin')")
                .params(id, creator.id()).update();
        return id;
    }

    /** The projects the user is a member of, with their role. */
    public List<ProjectRole> projects(UUID user) {
        return jdbc.sql("""
                        select p.id, p.name, m.role from memberships m join projects p on p.id = m.project_id
                        where m.user_id = ? order by p.name""").param(user)
                .query((rs, i) -> new ProjectRole(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)))
                .list();
    }

    /** The role the user has in the project; instance admins are admins everywhere. */
    public Optional<String> role(SparseLabUser user, UUID project) {
        if (user.admin()) {
            return Optional.of("admin");
        }
        return jdbc.sql("select role from memberships where user_id = ? and project_id = ?")
                .params(user.id(), project).query(String.class).optional();
    }

    public void setRole(UUID project, UUID user, String role) {
        if (!List.of("admin", "member", "viewer").contains(role)) {
            throw ApiException.invalid("/role", "must be one of admin, member, viewer");
        }
        jdbc.sql("""
                insert into memberships (project_id, user_id, role) values (?, ?, ?)
                on conflict (project_id, user_id) do update set role = excluded.role""")
                .params(project, user, role).update();
    }

    public boolean removeMember(UUID project, UUID user) {
        return jdbc.sql("delete from memberships where project_id = ? and user_id = ?").params(project, user)
                .update() > 0;
    }

    public record Member(String username, String role) {
    }

    public List<Member> members(UUID project) {
        return jdbc.sql("""
                        select u.username, m.role from memberships m join users u on u.id = m.user_id
                        where m.project_id = ? order by u.username""").param(project)
                .query((rs, i) -> new Member(rs.getString(1), rs.getString(2))).list();
    }

    /** A new API token for the user; {@code lifetime} null: it does not expire. */
    public NewToken createToken(UUID user, String name, Duration lifetime) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw ApiException.invalid("/name", "must be 1-100 characters");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        UUID id = UUID.randomUUID();
        Instant expires = lifetime == null ? null : clock.instant().plus(lifetime);
        String prefix = token.substring(0, 12);
        jdbc.sql("""
                        insert into api_tokens (id, user_id, name, token_hash, prefix, expires_at)
                        values (?, ?, ?, ?, ?, ?)""")
                .params(id, user, name, sha256(token), prefix, expires == null ? null : Timestamp.from(expires))
                .update();
        return new NewToken(id, name, token, prefix, expires);
    }

    /** A valid token: whose it is, and its own rate limit (null: the default). */
    public record AuthenticatedToken(UUID id, SparseLabUser user, Integer requestsPerMinute) {
    }

    /** The token, if it is known, not revoked, not expired, and its user not disabled. */
    public Optional<AuthenticatedToken> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        Optional<Object[]> found = jdbc.sql("""
                        select t.id, u.id, u.username, u.admin, t.last_used_at, t.requests_per_minute from api_tokens t
                        join users u on u.id = t.user_id
                        where t.token_hash = ? and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
                          and u.disabled_at is null""").param(sha256(token))
                .query((rs, i) -> new Object[]{new AuthenticatedToken(rs.getObject(1, UUID.class), new SparseLabUser(
                        rs.getObject(2, UUID.class), rs.getString(3), rs.getBoolean(4)),
                        (Integer) rs.getObject(6)), rs.getTimestamp(5)})
                .optional();
        found.ifPresent(f -> {
            Timestamp last = (Timestamp) f[1];
            if (last == null || last.toInstant().isBefore(clock.instant().minusSeconds(60))) {
                jdbc.sql("update api_tokens set last_used_at = now() where id = ?")
                        .param(((AuthenticatedToken) f[0]).id()).update();
            }
        });
        return found.map(f -> (AuthenticatedToken) f[0]);
    }

    /** Gives a token its own rate limit (null: back to the default). */
    public void setTokenLimit(UUID token, Integer requestsPerMinute) {
        jdbc.sql("update api_tokens set requests_per_minute = ? where id = ?").params(requestsPerMinute, token).update();
    }

    public List<TokenInfo> tokens(UUID user) {
        return jdbc.sql("""
                        select id, name, prefix, created_at, expires_at, revoked_at, last_used_at from api_tokens
                        where user_id = ? order by created_at desc""").param(user)
                .query((rs, i) -> new TokenInfo(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)),
                        instant(rs.getTimestamp(7))))
                .list();
    }

    /** The owner of a token. */
    public Optional<UUID> tokenOwner(UUID token) {
        return jdbc.sql("select user_id from api_tokens where id = ?").param(token).query(UUID.class).optional();
    }

    public boolean revoke(UUID token) {
        return jdbc.sql("update api_tokens set revoked_at = now() where id = ? and revoked_at is null").param(token)
                .update() > 0;
    }

    /** Appends to the audit log. */
    public void audit(String actor, String action, String targetType, String targetId, UUID project,
                      Map<String, ?> detail) {
        jdbc.sql("""
                        insert into audit_log (actor, action, target_type, target_id, project_id, detail)
                        values (?, ?, ?, ?, ?, ?::jsonb)""")
                .params(actor, action, targetType, targetId, project,
                        detail == null ? null : JSON.writeValueAsString(detail))
                .update();
    }

    public record AuditEntry(long id, Instant at, String actor, String action, String targetType, String targetId,
                             UUID projectId, String detail) {
    }

    public List<AuditEntry> auditLog(int limit, String actor, String action) {
        return jdbc.sql("""
                        select id, at, actor, action, target_type, target_id, project_id, detail::text from audit_log
                        where (cast(? as text) is null or actor = ?) and (cast(? as text) is null or action = ?)
                        order by id desc limit ?""")
                .params(actor, actor, action, action, limit)
                .query((rs, i) -> new AuditEntry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getObject(7, UUID.class),
                        rs.getString(8)))
                .list();
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
