package dev.sparselab.experiment.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.experiment.runs.RunEventHandler;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.kafka.listener.BatchListenerFailedException;

/** The batch consumer of run events: grouping, order, and which record the error handler goes on from. */
class EventListenersTest {
    final RunEventHandler handler = mock(RunEventHandler.class);
    final EventListeners listeners = new EventListeners(handler);
    final UUID run = UUID.randomUUID();

    RunEvent.MetricsReported metrics(long step) {
        return new RunEvent.MetricsReported(run, List.of(new MetricPoint("train.loss", step, 1, 0.5)), 1);
    }

    @Test
    void metricEventsGoTogetherAndALifecycleEventWaitsForTheMetricsBeforeIt() {
        RunEvent.MetricsReported m1 = metrics(1);
        RunEvent.MetricsReported m2 = metrics(2);
        RunEvent.MetricsReported m3 = metrics(3);
        RunEvent.RunStarted started = new RunEvent.RunStarted(run, "t", "cpu()", 1, null);
        listeners.onRunEvents(List.of(EventCodec.encode(m1), EventCodec.encode(m2), EventCodec.encode(started),
                EventCodec.encode(m3)));
        InOrder order = inOrder(handler);
        order.verify(handler).applyMetrics(List.of(m1, m2));
        order.verify(handler).apply(started);
        order.verify(handler).applyMetrics(List.of(m3));
    }

    @Test
    void aRecordThatDoesNotParseIsNamedAfterWhatCameBeforeItIsApplied() {
        RunEvent.MetricsReported m1 = metrics(1);
        BatchListenerFailedException e = catchThrowableOfType(BatchListenerFailedException.class,
                () -> listeners.onRunEvents(List.of(EventCodec.encode(m1), "{not json", EventCodec.encode(metrics(2)))));
        assertThat(e.getIndex()).isEqualTo(1);
        verify(handler).applyMetrics(List.of(m1));
    }

    @Test
    void duringAnOutageTheWholeGroupIsRetriedFromItsFirstRecord() {
        doThrow(new CannotGetJdbcConnectionException("away")).when(handler).applyMetrics(anyList());
        RunEvent.RunStarted started = new RunEvent.RunStarted(run, "t", "cpu()", 1, null);
        BatchListenerFailedException e = catchThrowableOfType(BatchListenerFailedException.class,
                () -> listeners.onRunEvents(List.of(EventCodec.encode(started), EventCodec.encode(metrics(1)),
                        EventCodec.encode(metrics(2)))));
        assertThat(e.getIndex()).isEqualTo(1);
        verify(handler, never()).apply(any(RunEvent.MetricsReported.class));
    }

    @Test
    void aGroupThatBreaksIsAppliedOneEventAtATimeSoOnlyTheBadEventIsRetried() {
        RunEvent.MetricsReported good = metrics(1);
        RunEvent.MetricsReported bad = metrics(2);
        doThrow(new DataIntegrityViolationException("bad")).when(handler).applyMetrics(anyList());
        doThrow(new DataIntegrityViolationException("bad")).when(handler).apply(bad);
        BatchListenerFailedException e = catchThrowableOfType(BatchListenerFailedException.class,
                () -> listeners.onRunEvents(List.of(EventCodec.encode(good), EventCodec.encode(bad),
                        EventCodec.encode(metrics(3)))));
        assertThat(e.getIndex()).isEqualTo(1);
        verify(handler).apply(good);
    }
}
