package dev.sparselab.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.util.backoff.BackOffExecution;

/** Which failures are an outage (retry patiently) and which are a bad record (bounded retries, dead letter). */
class ConsumerErrorHandlingTest {
    @Test
    void anUnreachableDependencyIsAnOutage() {
        assertThat(ConsumerErrorHandling.isOutage(new CannotGetJdbcConnectionException("no connection",
                new SQLException("refused", "08001")))).isTrue();
        assertThat(ConsumerErrorHandling.isOutage(new RuntimeException("wrapped",
                new DependencyUnavailableException("kafka away", null)))).isTrue();
        assertThat(ConsumerErrorHandling.isOutage(new org.apache.kafka.common.errors.TimeoutException("metadata")))
                .isTrue();
        assertThat(ConsumerErrorHandling.isOutage(new RuntimeException(new SQLException("admin shutdown", "57P01"))))
                .isTrue();
    }

    @Test
    void aBadRecordIsNot() {
        assertThat(ConsumerErrorHandling.isOutage(new IllegalArgumentException("unknown event type"))).isFalse();
        assertThat(ConsumerErrorHandling.isOutage(new DataIntegrityViolationException("foreign key"))).isFalse();
        assertThat(ConsumerErrorHandling.isOutage(new RuntimeException(new SQLException("syntax", "42601"))))
                .isFalse();
        assertThat(ConsumerErrorHandling.isOutage(
                new org.apache.kafka.common.errors.RecordTooLargeException("too large"))).isFalse();
    }

    @Test
    void outagesAreRetriedForeverWithABackOffCappedAtTwoSeconds() {
        BackOffExecution backOff = ConsumerErrorHandling.outageBackOff().start();
        long first = backOff.nextBackOff();
        long max = first;
        for (int i = 0; i < 1000; i++) {
            long next = backOff.nextBackOff();
            assertThat(next).isNotEqualTo(BackOffExecution.STOP);
            max = Math.max(max, next);
        }
        assertThat(first).isEqualTo(250);
        assertThat(max).isEqualTo(ConsumerErrorHandling.MAX_OUTAGE_BACKOFF_MS).isEqualTo(2000);
    }
}
