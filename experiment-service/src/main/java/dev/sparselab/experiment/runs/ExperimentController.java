package dev.sparselab.experiment.runs;

import dev.sparselab.experiment.api.BadParameterException;
import dev.sparselab.experiment.api.NotFoundException;
import dev.sparselab.contracts.spec.Plan;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.experiment.access.Access;
import dev.sparselab.experiment.access.Audit;
import dev.sparselab.experiment.access.Caller;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/experiments")
class ExperimentController {
    static final List<String> YAML_TYPES = List.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");

    private final SpecParser parser;
    private final ExperimentService experiments;
    private final RunQueries queries;
    private final Cancellation cancellation;
    private final Access access;
    private final Audit audit;

    ExperimentController(SpecParser parser, ExperimentService experiments, RunQueries queries,
                         Cancellation cancellation, Access access, Audit audit) {
        this.parser = parser;
        this.experiments = experiments;
        this.queries = queries;
        this.cancellation = cancellation;
        this.access = access;
        this.audit = audit;
    }

    /**
     * Submits a spec (JSON or YAML) into a project (default: the caller's own); 201 with the experiment and its
     * queued runs.
     */
    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, "application/yaml", "application/x-yaml",
            "text/yaml", "text/x-yaml"})
    ResponseEntity<ExperimentService.Created> submit(@RequestBody(required = false) String body,
                                                     @RequestHeader(HttpHeaders.CONTENT_TYPE) MediaType contentType,
                                                     @RequestParam(required = false) String project,
                                                     Caller caller) {
        UUID projectId = access.submissionProject(caller, project);
        boolean yaml = YAML_TYPES.contains(contentType.getType() + "/" + contentType.getSubtype());
        Plan plan = parser.plan(body, yaml);
        ExperimentService.Created created = experiments.submit(plan.spec(), plan.runs(), caller.username(),
                projectId);
        if (created.duplicateOf() == null) {
            audit.record(caller, "experiment.submit", "experiment", created.id(), projectId,
                    java.util.Map.of("name", created.name(), "runs", created.runs().size()));
        }
        if (created.duplicateOf() != null) {
            // identical runs exist: here they are (submit with "force": true to train again)
            return ResponseEntity.ok().location(URI.create("/api/v1/experiments/" + created.id())).body(created);
        }
        return ResponseEntity.created(URI.create("/api/v1/experiments/" + created.id())).body(created);
    }

    /** What a spec would do, without storing anything: the runs it expands to, and each grid point's plan. */
    public record Preview(int runs, List<PlannedGroup> groups) {
    }

    /** The runs of one grid point (they differ by seed) and their planned sparsity schedule. */
    public record PlannedGroup(java.util.Map<String, tools.jackson.databind.JsonNode> gridPoint, List<Long> seeds,
                               dev.sparselab.contracts.spec.SparsitySchedule.Plan plan) {
    }

    @PostMapping(path = "/preview", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/yaml",
            "application/x-yaml", "text/yaml", "text/x-yaml"})
    Preview preview(@RequestBody(required = false) String body, Caller caller,
                    @RequestHeader(HttpHeaders.CONTENT_TYPE) MediaType contentType,
                    @RequestParam(defaultValue = "200") int maxPoints) {
        if (maxPoints < 2 || maxPoints > 5000) {
            throw new BadParameterException("maxPoints", "must be between 2 and 5000");
        }
        boolean yaml = YAML_TYPES.contains(contentType.getType() + "/" + contentType.getSubtype());
        Plan plan = parser.plan(body, yaml);
        java.util.Map<String, PlannedGroup> groups = new java.util.LinkedHashMap<>();
        for (dev.sparselab.contracts.spec.PlannedRun run : plan.runs()) {
            String key = dev.sparselab.contracts.events.EventCodec.encode(run.gridPoint());
            PlannedGroup g = groups.computeIfAbsent(key, k -> new PlannedGroup(run.gridPoint(),
                    new java.util.ArrayList<>(), dev.sparselab.contracts.spec.SparsitySchedule.of(run.spec(),
                    maxPoints)));
            g.seeds().add(run.seed());
        }
        return new Preview(plan.runs().size(), new java.util.ArrayList<>(groups.values()));
    }

    @GetMapping
    List<RunQueries.ExperimentListItem> list(@RequestParam(defaultValue = "100") int limit, Caller caller) {
        return queries.experiments(access.visibleProjects(caller), Math.max(1, Math.min(limit, 1000)));
    }

    /** Cancels every queued or running run of the experiment; finished runs stay as they are. */
    @PostMapping("/{id}/cancel")
    RunQueries.ExperimentView cancel(@PathVariable UUID id, Caller caller) {
        access.writeExperiment(caller, id);
        List<Cancellation.Outcome> outcomes = cancellation.cancelExperiment(id, caller.username())
                .orElseThrow(() -> new NotFoundException("experiment", id));
        audit.record(caller, "experiment.cancel", "experiment", id, access.experimentProject(caller, id).orElse(null),
                java.util.Map.of("cancelled", outcomes.stream().filter(Cancellation.Outcome::cancelled).count()));
        return queries.experiment(id).orElseThrow(() -> new NotFoundException("experiment", id));
    }

    @GetMapping("/{id}")
    RunQueries.ExperimentView get(@PathVariable UUID id, Caller caller) {
        access.readExperiment(caller, id);
        return queries.experiment(id).orElseThrow(() -> new NotFoundException("experiment", id));
    }
}
