package dev.sparselab.experiment.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.experiment.access.Access;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The live stream decides what each open stream sees from the memberships at the time of each event, over real
 * PostgreSQL (issue 20 item 4): a member removed from a project gets none of its further runs while the stream
 * stays open; the stream of a user disabled meanwhile is closed; administrators see every project. The changed runs
 * come from a fixed list (the listing's SQL is tested with the runs list).
 */
class RunStreamTest {
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

    /** A sink that keeps what it was sent. */
    static final class Collected implements RunStream.Sink {
        final List<UUID> runs = new ArrayList<>();
        boolean closed;

        @Override
        public void send(RunListing.Item item) {
            runs.add(item.id());
        }

        @Override
        public void keepAlive() {
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The runs that changed since the last tick: what the test put there. */
    static final class Changes extends RunListing {
        final List<RunListing.Item> next = new ArrayList<>();

        Changes() {
            super(null);
        }

        @Override
        public List<Item> list(Filter f) {
            List<Item> out = List.copyOf(next);
            next.clear();
            return out;
        }

        UUID change(UUID project) {
            UUID run = UUID.randomUUID();
            next.add(new Item(run, UUID.randomUUID(), "e", project, "p", "someone", "set", 0.9, 1, null,
                    RunStatus.RUNNING, null, 1, 3, 10, 30, null, null, null, false, Instant.now(), Instant.now(),
                    Instant.now()));
            return run;
        }
    }

    static UUID user(String name, boolean admin) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into users (id, username, admin) values (?, ?, ?)").params(id, name, admin).update();
        return id;
    }

    static UUID project(String name) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into projects (id, name) values (?, ?)").params(id, name).update();
        return id;
    }

    static void member(UUID project, UUID user) {
        jdbc.sql("insert into memberships (project_id, user_id, role) values (?, ?, 'member')").params(project, user)
                .update();
    }

    @Test
    void eachEventGoesToWhoSeesItsProjectNow() {
        UUID alice = user("alice", false);
        UUID bob = user("bob", false);
        UUID root = user("root", true);
        UUID shared = project("shared");
        UUID vision = project("vision");
        member(shared, alice);
        member(vision, alice);
        member(shared, bob);
        Changes changes = new Changes();
        RunStream stream = new RunStream(changes, new Access(jdbc), Clock.systemUTC());
        Collected a = new Collected();
        Collected b = new Collected();
        Collected r = new Collected();
        stream.open(alice, a);
        stream.open(bob, b);
        stream.open(root, r);

        UUID first = changes.change(vision);
        stream.tick();
        assertThat(a.runs).containsExactly(first);
        assertThat(b.runs).isEmpty();
        assertThat(r.runs).containsExactly(first);

        // alice leaves vision while her stream stays open; bob joins it
        jdbc.sql("delete from memberships where project_id = ? and user_id = ?").params(vision, alice).update();
        member(vision, bob);
        UUID second = changes.change(vision);
        UUID third = changes.change(shared);
        stream.tick();
        assertThat(a.runs).containsExactly(first, third);
        assertThat(b.runs).containsExactly(second, third);
        assertThat(r.runs).containsExactly(first, second, third);

        // bob is disabled: his stream is closed and gets nothing more
        jdbc.sql("update users set disabled_at = now() where id = ?").param(bob).update();
        UUID fourth = changes.change(shared);
        stream.tick();
        assertThat(b.closed).isTrue();
        assertThat(b.runs).containsExactly(second, third);
        assertThat(a.runs).containsExactly(first, third, fourth);
        changes.change(shared);
        stream.tick();
        assertThat(b.runs).hasSize(2);
        assertThat(a.closed).isFalse();
    }
}
