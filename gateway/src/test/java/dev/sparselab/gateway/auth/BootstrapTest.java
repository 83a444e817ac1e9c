package dev.sparselab.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The first administrator from a configured password, over real PostgreSQL (issue 20 item 12): a password shorter than
 * the rule does not stop the gateway (every replica crash-looped on it) and creates no one; a good one creates
 * {@code admin} once, and a second replica starting over the same database starts too.
 */
class BootstrapTest {
    static EmbeddedPostgres pg;
    static JdbcClient jdbc;
    static IdentityStore identities;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(pg.getPostgresDatabase()).load().migrate();
        jdbc = JdbcClient.create(pg.getPostgresDatabase());
        identities = new IdentityStore(jdbc, new SecurityConfig().passwordEncoder(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @BeforeEach
    void clean() {
        jdbc.sql("truncate users, projects cascade").update();
    }

    static AuthProperties password(String password) {
        return new AuthProperties(null, password, "preferred_username", null, AuthProperties.JwtProvisioning.CREATE);
    }

    @Test
    void aShortAdminPasswordCreatesNoOneAndDoesNotStopTheGateway() throws Exception {
        new Bootstrap(identities, password("short")).run(null);
        assertThat(identities.userCount()).isZero();
    }

    @Test
    void aGoodAdminPasswordCreatesTheAdministratorOnceAcrossReplicas() throws Exception {
        new Bootstrap(identities, password("correct horse battery staple")).run(null);
        new Bootstrap(identities, password("correct horse battery staple")).run(null);
        assertThat(identities.user("admin")).hasValueSatisfying(u -> assertThat(u.admin()).isTrue());
        assertThat(identities.checkPassword("admin", "correct horse battery staple")).isPresent();
        assertThat(identities.userCount()).isEqualTo(1);
    }
}
