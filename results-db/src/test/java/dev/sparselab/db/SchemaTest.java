package dev.sparselab.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The migrations on a real PostgreSQL, and the shared JDBC pieces on top of them. */
class SchemaTest {
    static EmbeddedPostgres pg;
    static JdbcClient jdbc;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(pg.getPostgresDatabase()).load().migrate();
        jdbc = JdbcClient.create(pg.getPostgresDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void artifactsAreContentAddressedAndStoredOnce() {
        ArtifactStore store = new JdbcArtifactStore(jdbc);
        byte[] blob = "weights".getBytes();
        String sha = store.put("model", blob);
        // sha256("weights"), computed independently with sha256sum
        assertThat(sha).isEqualTo("9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c");
        assertThat(store.put("model", blob)).isEqualTo(sha);
        assertThat(store.get(sha)).hasValue(blob);
        assertThat(jdbc.sql("select count(*) from artifacts where sha256 = ?").param(sha).query(Long.class).single())
                .isEqualTo(1);
        assertThat(store.get("0".repeat(64))).isEmpty();
    }

    @Test
    void aReplayedEventIsRecognised() {
        ProcessedEvents ledger = new ProcessedEvents(jdbc, "test");
        UUID id = UUID.randomUUID();
        assertThat(ledger.isProcessed(id)).isFalse();
        assertThat(ledger.markProcessed(id)).isTrue();
        assertThat(ledger.markProcessed(id)).isFalse();
        assertThat(new ProcessedEvents(jdbc, "other").markProcessed(id)).isTrue();
    }

    @Test
    void runStatusIsConstrained() {
        UUID exp = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, project_id) values (?, 'x', '{}'::jsonb, "
                + "'00000000-0000-0000-0000-000000000001')").param(exp).update();
        assertThatThrownBy(() -> jdbc.sql(
                "insert into runs (id, experiment_id, seed, spec, status) values (?, ?, 1, '{}'::jsonb, 'DONE')")
                .params(UUID.randomUUID(), exp).update())
                .hasMessageContaining("runs_status_check");
    }

    @Test
    void deletingRunsDeletesTheirMetricPointsAndOnlyTheirs() {
        UUID exp = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, project_id) values (?, 'x', '{}'::jsonb, "
                + "'00000000-0000-0000-0000-000000000001')").param(exp).update();
        UUID gone = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        for (UUID run : new UUID[]{gone, kept}) {
            jdbc.sql("insert into runs (id, experiment_id, seed, spec) values (?, ?, 1, '{}'::jsonb)").params(run, exp)
                    .update();
            jdbc.sql("insert into run_metrics (run_id, name, step, epoch, value) "
                    + "select ?, 'train.loss', s, 1, 0.5 from generate_series(1, 3) s").param(run).update();
        }
        // the points no longer check their run on every insert (V16); a deleted run still takes its points along
        jdbc.sql("delete from runs where id = ?").param(gone).update();
        assertThat(jdbc.sql("select run_id, count(*) from run_metrics where run_id in (?, ?) group by run_id")
                .params(gone, kept).query((rs, i) -> rs.getObject(1, UUID.class) + "=" + rs.getLong(2)).list())
                .containsExactly(kept + "=3");
    }
}
