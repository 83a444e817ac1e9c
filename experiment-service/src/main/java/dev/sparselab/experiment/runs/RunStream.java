package dev.sparselab.experiment.runs;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
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
 */
@Component
class RunStream {
    private static final Logger log = LoggerFactory.getLogger(RunStream.class);
    private static final long TIMEOUT_MILLIS = 30 * 60_000L;

    private final RunListing listing;
    /** Open streams, each with the projects its caller sees (null: all). */
    private final java.util.Map<SseEmitter, java.util.Optional<java.util.Set<java.util.UUID>>> emitters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.time.Clock clock;
    private Instant watermark;
    private long ticks;
    /** What was last sent per run (the overlap of one second resends nothing twice). */
    private final java.util.Map<java.util.UUID, Instant> sent = new java.util.HashMap<>();

    RunStream(RunListing listing, java.time.Clock clock) {
        this.listing = listing;
        this.clock = clock;
        this.watermark = clock.instant();
    }

    /** A stream of the runs in the given projects (null: all projects). */
    public SseEmitter open(java.util.Set<java.util.UUID> projects) {
        SseEmitter emitter = new SseEmitter(TIMEOUT_MILLIS);
        emitters.put(emitter, java.util.Optional.ofNullable(projects));
        emitter.onCompletion(() -> emitters.remove(emitter));
        emitter.onTimeout(() -> emitters.remove(emitter));
        emitter.onError(e -> emitters.remove(emitter));
        try {
            emitter.send(SseEmitter.event().name("hello").data("{}", MediaType.APPLICATION_JSON));
        } catch (IOException e) {
            emitters.remove(emitter);
        }
        return emitter;
    }

    @Scheduled(fixedDelayString = "${sparselab.experiment.stream-poll:1s}")
    void tick() {
        if (emitters.isEmpty()) {
            watermark = clock.instant();
            return;
        }
        try {
            Instant since = watermark;
            List<RunListing.Item> changed = listing.list(new RunListing.Filter(null, null, null, null, null,
                    since.minusSeconds(1), 1000)).stream()
                    .filter(item -> !java.util.Objects.equals(sent.put(item.id(), item.updatedAt()), item.updatedAt()))
                    .toList();
            sent.values().removeIf(t -> t != null && t.isBefore(since.minusSeconds(10)));
            for (RunListing.Item item : changed) {
                if (item.updatedAt() != null && item.updatedAt().isAfter(watermark)) {
                    watermark = item.updatedAt();
                }
            }
            for (var open : emitters.entrySet()) {
                SseEmitter emitter = open.getKey();
                try {
                    for (RunListing.Item item : changed) {
                        if (open.getValue().isPresent() && !open.getValue().get().contains(item.projectId())) {
                            continue;
                        }
                        emitter.send(SseEmitter.event().name("run").data(item, MediaType.APPLICATION_JSON));
                    }
                    if (++ticks % 15 == 0) {
                        emitter.send(SseEmitter.event().comment("keep-alive"));
                    }
                } catch (IOException | IllegalStateException e) {
                    emitters.remove(emitter);
                }
            }
        } catch (RuntimeException e) {
            log.debug("run stream tick failed: {}", e.toString());
        }
    }
}
