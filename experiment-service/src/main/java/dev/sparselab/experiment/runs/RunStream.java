package dev.sparselab.experiment.runs;

import dev.sparselab.experiment.access.Access;
import dev.sparselab.experiment.access.Caller;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live run updates as server-sent events: every second, the runs that changed (status, a new metric point,
 * an evaluation) go to every open stream as {@code run} events carrying the run-list item. Read from the
 * database, so it works with any number of experiment-service instances; a client that reconnects gets
 * what changed while it was away through a fresh list.
 *
 * <p>What a stream may see is decided per tick from the current memberships (issue 20 item 4), not from those at
 * the moment it opened: a user removed from a project gets no further events of its runs, and the stream of a user
 * who was disabled or deleted is closed.
 */
@Component
class RunStream {
    private static final Logger log = LoggerFactory.getLogger(RunStream.class);
    private static final long TIMEOUT_MILLIS = 30 * 60_000L;

    /** Where a stream's events go (an {@link SseEmitter}; tests collect them). */
    interface Sink {
        void send(RunListing.Item item) throws IOException;

        void keepAlive() throws IOException;

        void close();
    }

    private final RunListing listing;
    private final Access access;
    /** Open streams and the user each one is for. */
    private final Map<Sink, UUID> streams = new ConcurrentHashMap<>();
    private final Clock clock;
    private Instant watermark;
    private long ticks;
    /** What was last sent per run (the overlap of one second resends nothing twice). */
    private final Map<UUID, Instant> sent = new HashMap<>();

    RunStream(RunListing listing, Access access, Clock clock) {
        this.listing = listing;
        this.access = access;
        this.clock = clock;
        this.watermark = clock.instant();
    }

    /** A stream of the runs the caller sees, as server-sent events. */
    public SseEmitter open(Caller caller) {
        SseEmitter emitter = new SseEmitter(TIMEOUT_MILLIS);
        Sink sink = new Sink() {
            @Override
            public void send(RunListing.Item item) throws IOException {
                emitter.send(SseEmitter.event().name("run").data(item, MediaType.APPLICATION_JSON));
            }

            @Override
            public void keepAlive() throws IOException {
                emitter.send(SseEmitter.event().comment("keep-alive"));
            }

            @Override
            public void close() {
                emitter.complete();
            }
        };
        emitter.onCompletion(() -> streams.remove(sink));
        emitter.onTimeout(() -> streams.remove(sink));
        emitter.onError(e -> streams.remove(sink));
        try {
            emitter.send(SseEmitter.event().name("hello").data("{}", MediaType.APPLICATION_JSON));
            streams.put(sink, caller.userId());
        } catch (IOException e) {
            emitter.completeWithError(e);
        }
        return emitter;
    }

    /** Opens a stream into {@code sink} for {@code user} (tests). */
    void open(UUID user, Sink sink) {
        streams.put(sink, user);
    }

    @Scheduled(fixedDelayString = "${sparselab.experiment.stream-poll:1s}")
    void tick() {
        if (streams.isEmpty()) {
            watermark = clock.instant();
            return;
        }
        try {
            Instant since = watermark;
            List<RunListing.Item> changed = listing.list(new RunListing.Filter(null, null, null, null, null,
                    since.minusSeconds(1), 1000)).stream()
                    .filter(item -> !Objects.equals(sent.put(item.id(), item.updatedAt()), item.updatedAt()))
                    .toList();
            sent.values().removeIf(t -> t != null && t.isBefore(since.minusSeconds(10)));
            for (RunListing.Item item : changed) {
                if (item.updatedAt() != null && item.updatedAt().isAfter(watermark)) {
                    watermark = item.updatedAt();
                }
            }
            boolean keepAlive = ++ticks % 15 == 0;
            if (changed.isEmpty() && !keepAlive) {
                return;
            }
            // who sees what now (one read for all open streams, only on a tick with something to send)
            Map<UUID, Optional<Set<UUID>>> visibility = access.visibility(new HashSet<>(streams.values()));
            for (var open : streams.entrySet()) {
                Sink sink = open.getKey();
                Optional<Set<UUID>> sees = visibility.get(open.getValue());
                if (sees == null) { // disabled or deleted
                    streams.remove(sink);
                    sink.close();
                    continue;
                }
                try {
                    for (RunListing.Item item : changed) {
                        if (sees.isEmpty() || sees.get().contains(item.projectId())) {
                            sink.send(item);
                        }
                    }
                    if (keepAlive) {
                        sink.keepAlive();
                    }
                } catch (IOException | IllegalStateException e) {
                    streams.remove(sink);
                }
            }
        } catch (RuntimeException e) {
            log.debug("run stream tick failed: {}", e.toString());
        }
    }
}
