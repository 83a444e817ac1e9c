package dev.sparselab.experiment.api;

import dev.sparselab.experiment.runs.Cancellation;
import dev.sparselab.experiment.runs.RunQueries;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/runs")
class RunController {
    private final RunQueries queries;
    private final Cancellation cancellation;

    RunController(RunQueries queries, Cancellation cancellation) {
        this.queries = queries;
        this.cancellation = cancellation;
    }

    /**
     * Cancels a queued or running run; {@code X-SparseLab-User} names who (until accounts exist). A finished
     * run is answered 409 and left as it is.
     */
    @PostMapping("/{id}/cancel")
    RunQueries.RunView cancel(@PathVariable UUID id,
                              @RequestHeader(name = "X-SparseLab-User", defaultValue = "anonymous") String user) {
        Cancellation.Outcome outcome = cancellation.cancelRun(id, user)
                .orElseThrow(() -> new NotFoundException("run", id));
        if (!outcome.cancelled()) {
            throw new ConflictException("run " + id + " is already " + outcome.before() + "; nothing to cancel");
        }
        return queries.run(id).orElseThrow(() -> new NotFoundException("run", id));
    }

    @GetMapping("/{id}")
    RunQueries.RunView get(@PathVariable UUID id) {
        return queries.run(id).orElseThrow(() -> new NotFoundException("run", id));
    }

    /**
     * The series the trainer reported; {@code name} selects one; {@code maxPoints} (at least 3) downsamples
     * each series on the server (LTTB).
     */
    @GetMapping("/{id}/metrics")
    RunQueries.MetricsView metrics(@PathVariable UUID id, @RequestParam(required = false) String name,
                                   @RequestParam(defaultValue = "0") int maxPoints) {
        if (maxPoints != 0 && maxPoints < 3) {
            throw new BadParameterException("maxPoints", "must be 0 (all points) or at least 3");
        }
        if (!queries.runExists(id)) {
            throw new NotFoundException("run", id);
        }
        return queries.metrics(id, name, maxPoints);
    }
}
