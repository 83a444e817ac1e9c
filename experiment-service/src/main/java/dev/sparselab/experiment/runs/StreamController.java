package dev.sparselab.experiment.runs;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code GET /api/v1/stream}: server-sent events, one {@code run} event per changed run (a run-list item). */
@RestController
class StreamController {
    private final RunStream stream;

    StreamController(RunStream stream) {
        this.stream = stream;
    }

    @GetMapping(value = "/api/v1/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(dev.sparselab.experiment.access.Caller caller) {
        return stream.open(caller);
    }
}
