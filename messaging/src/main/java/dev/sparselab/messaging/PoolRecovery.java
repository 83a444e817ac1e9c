package dev.sparselab.messaging;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * A recovery probe for the connection pool: after PostgreSQL returns, every consumer gets connections again within
 * a fraction of a second.
 *
 * <p>While PostgreSQL is away, HikariCP's connection adder retries with a back-off that doubles up to 5 s (fixed
 * in HikariCP, not a setting), so after the database returns a pool could stay empty for up to 5 s more. Every
 * {@value #PERIOD_MS} ms this probe looks at the pool (two counters: cheap); when the pool is empty while callers
 * wait for a connection, it tries a connection of its own straight through the JDBC driver, and as soon as one
 * opens, it wakes the adder from its back-off (the adder then ends its round; the probe's own borrow starts a
 * fresh one, which connects at once). Nothing changes while the database is up.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(HikariDataSource.class)
@ConditionalOnBean(DataSource.class)
public class PoolRecovery {
    static final long PERIOD_MS = 250;

    @Bean
    Probe sparselabPoolRecoveryProbe(DataSource dataSource) {
        return dataSource instanceof HikariDataSource hikari ? new Probe(hikari) : new Probe(null);
    }

    /** The probe; inactive when the data source is not a Hikari pool. */
    public static final class Probe implements DisposableBean {
        private static final Logger log = LoggerFactory.getLogger(Probe.class);
        private final HikariDataSource pool;
        private final ScheduledExecutorService timer;

        Probe(HikariDataSource pool) {
            this.pool = pool;
            if (pool == null) {
                this.timer = null;
                return;
            }
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pool-recovery-probe");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::check, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }

        void check() {
            try {
                HikariPoolMXBean stats = pool.getHikariPoolMXBean();
                if (stats == null || stats.getTotalConnections() > 0 || stats.getThreadsAwaitingConnection() == 0) {
                    return;
                }
                if (!reachable()) {
                    return;
                }
                log.info("PostgreSQL is back; waking the connection pool {} from its back-off", pool.getPoolName());
                // HikariCP names it "<pool>:connection-adder"
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().startsWith(pool.getPoolName() + ":") && t.getName().endsWith("connection-adder")) {
                        t.interrupt();
                    }
                }
                try (Connection c = pool.getConnection()) {
                    log.debug("pool {} serves again", pool.getPoolName());
                }
            } catch (SQLException | RuntimeException e) {
                log.debug("pool recovery probe: {}", e.toString());
            }
        }

        /** Whether a connection of the probe's own (not from the pool) opens now. */
        private boolean reachable() {
            Properties p = new Properties();
            if (pool.getUsername() != null) {
                p.setProperty("user", pool.getUsername());
            }
            if (pool.getPassword() != null) {
                p.setProperty("password", pool.getPassword());
            }
            p.setProperty("connectTimeout", "1");
            p.setProperty("loginTimeout", "1");
            try (Connection c = DriverManager.getConnection(pool.getJdbcUrl(), p)) {
                return c.isValid(1);
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public void destroy() {
            if (timer != null) {
                timer.shutdownNow();
            }
        }
    }
}
