package dev.sparselab.experiment.runs;

import dev.sparselab.experiment.api.BadParameterException;
import dev.sparselab.experiment.api.ConflictException;
import dev.sparselab.experiment.api.NotFoundException;
import dev.sparselab.experiment.access.Access;
import dev.sparselab.experiment.access.Audit;
import dev.sparselab.experiment.access.Caller;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/runs")
class RunController {
    private final RunQueries queries;
    private final Cancellation cancellation;

    private final dev.sparselab.experiment.runs.RunListing listing;
    private final Access access;
    private final Audit audit;

    RunController(RunQueries queries, Cancellation cancellation, dev.sparselab.experiment.runs.RunListing listing,
                  Access access, Audit audit) {
        this.queries = queries;
        this.cancellation = cancellation;
        this.listing = listing;
        this.access = access;
        this.audit = audit;
    }

    /** Runs, newest first, with progress; filters: experiment, status, sparsity method, owner. */
    @GetMapping
    java.util.List<dev.sparselab.experiment.runs.RunListing.Item> list(
            @RequestParam(required = false) UUID experiment, @RequestParam(required = false) String status,
            @RequestParam(required = false) String method, @RequestParam(required = false) String owner,
            @RequestParam(defaultValue = "500") int limit, Caller caller) {
        if (limit < 1 || limit > 5000) {
            throw new BadParameterException("limit", "must be between 1 and 5000");
        }
        dev.sparselab.experiment.runs.RunStatus s = null;
        if (status != null && !status.isBlank()) {
            try {
                s = dev.sparselab.experiment.runs.RunStatus.valueOf(status);
            } catch (IllegalArgumentException e) {
                throw new BadParameterException("status", "must be one of "
                        + java.util.Arrays.toString(dev.sparselab.experiment.runs.RunStatus.values()));
            }
        }
        return listing.list(new dev.sparselab.experiment.runs.RunListing.Filter(access.visibleProjects(caller),
                experiment, s, blank(method),
                blank(owner), null, limit));
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Every stored metric point as CSV: {@code name,step,epoch,value}. */
    @GetMapping(value = "/{id}/metrics", produces = "text/csv")
    org.springframework.http.ResponseEntity<String> metricsCsv(@PathVariable UUID id, Caller caller) {
        access.readRun(caller, id);
        StringBuilder csv = new StringBuilder("name,step,epoch,value\n");
        for (RunQueries.Series s : queries.metrics(id, null, 0).series()) {
            for (RunQueries.SeriesPoint p : s.points()) {
                csv.append(s.name()).append(',').append(p.step()).append(',').append(p.epoch()).append(',')
                        .append(p.value()).append('\n');
            }
        }
        return org.springframework.http.ResponseEntity.ok()
                .header("Content-Disposition", "attachment; filename=\"run-" + id + "-metrics.csv\"")
                .contentType(org.springframework.http.MediaType.parseMediaType("text/csv"))
                .body(csv.toString());
    }

    /** Cancels a queued or running run. A finished run is answered 409 and left as it is. */
    @PostMapping("/{id}/cancel")
    RunQueries.RunView cancel(@PathVariable UUID id, Caller caller) {
        access.writeRun(caller, id);
        Cancellation.Outcome outcome = cancellation.cancelRun(id, caller.username())
                .orElseThrow(() -> new NotFoundException("run", id));
        if (outcome.cancelled()) {
            audit.record(caller, "run.cancel", "run", id, access.runProject(caller, id).orElse(null),
                    java.util.Map.of("before", outcome.before().name()));
        }
        if (!outcome.cancelled()) {
            throw new ConflictException("run " + id + " is already " + outcome.before() + "; nothing to cancel");
        }
        return queries.run(id).orElseThrow(() -> new NotFoundException("run", id));
    }

    @GetMapping("/{id}")
    RunQueries.RunView get(@PathVariable UUID id, Caller caller) {
        access.readRun(caller, id);
        return queries.run(id).orElseThrow(() -> new NotFoundException("run", id));
    }

    /**
     * The series the trainer reported; {@code name} selects one; {@code maxPoints} (at least 3) downsamples
     * each series on the server (LTTB).
     */
    @GetMapping("/{id}/metrics")
    RunQueries.MetricsView metrics(@PathVariable UUID id, @RequestParam(required = false) String name,
                                   @RequestParam(defaultValue = "0") int maxPoints, Caller caller) {
        access.readRun(caller, id);
        if (maxPoints != 0 && maxPoints < 3) {
            throw new BadParameterException("maxPoints", "must be 0 (all points) or at least 3");
        }
        return queries.metrics(id, name, maxPoints);
    }
}
