package dev.sparselab.gateway.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * The first administrator. With {@code sparselab.auth.bootstrap-dir} (local mode): when there are no users yet,
 * user {@code admin} with a random password and an API token, both written to that folder with mode 0600, the
 * token printed once. With {@code sparselab.auth.admin-password} (containers): user {@code admin} with that
 * password, if there is none.
 */
@Component
class Bootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);
    static final String ADMIN = "admin";
    static final String TOKEN_FILE = "admin-token";
    static final String PASSWORD_FILE = "admin-password";

    /** The shortest password a user may have (IdentityStore's rule). */
    static final int MIN_PASSWORD = 12;
    private final IdentityStore identities;
    private final AuthProperties props;

    Bootstrap(IdentityStore identities, AuthProperties props) {
        this.identities = identities;
        this.props = props;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (props.adminPassword() != null && !props.adminPassword().isBlank() && identities.user(ADMIN).isEmpty()) {
            if (props.adminPassword().length() < MIN_PASSWORD) {
                // refusing to start would crash-loop every gateway replica over a setting; the API still serves
                log.error("the configured admin password (SPARSELAB_ADMIN_PASSWORD, secret sparselab-admin) is shorter "
                        + "than {} characters: user '{}' is not created; set a longer one and restart", MIN_PASSWORD,
                        ADMIN);
            } else {
                try {
                    SparseLabUser admin = identities.createUser(ADMIN, props.adminPassword(), true);
                    identities.audit("system", "user.create", "user", admin.id().toString(), null,
                            Map.of("bootstrap", true));
                    log.info("created user '{}' with the configured password", ADMIN);
                } catch (ApiException | org.springframework.dao.DataIntegrityViolationException e) {
                    // another replica starting at the same moment created it
                    log.info("user '{}' was created meanwhile ({})", ADMIN, e.getMessage());
                }
            }
        }
        if (props.bootstrapDir() != null && !props.bootstrapDir().toString().isEmpty()
                && identities.userCount() == 0) {
            String password = randomPassword();
            SparseLabUser admin = identities.createUser(ADMIN, password, true);
            IdentityStore.NewToken token = identities.createToken(admin.id(), "bootstrap", null);
            identities.audit("system", "user.create", "user", admin.id().toString(), null, Map.of("bootstrap", true));
            Files.createDirectories(props.bootstrapDir());
            writePrivate(props.bootstrapDir().resolve(TOKEN_FILE), token.token());
            writePrivate(props.bootstrapDir().resolve(PASSWORD_FILE), password);
            // the secrets stay in the files (mode 0600): container logs are read by more people than the volume
            log.info("created user '{}' (an administrator): API token in {}, web UI password in {}", ADMIN,
                    props.bootstrapDir().resolve(TOKEN_FILE), props.bootstrapDir().resolve(PASSWORD_FILE));
        }
    }

    /** Writes a file only its owner may read (created so, never readable by others even for a moment). */
    static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
