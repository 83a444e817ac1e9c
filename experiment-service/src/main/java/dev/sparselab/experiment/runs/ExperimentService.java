package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.PlannedRun;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * Creates experiments: the experiment and one run per grid point and seed, atomically. Runs start
 * QUEUED and unreleased; the {@link Scheduler} hands them to the trainers' queue by priority, within
 * the trainers' capacity and the owner's limit. A submission whose every run already exists (same
 * content hash: same data, model, recipe, method and seed) is answered with the existing runs unless it
 * says {@code force: true}.
 */
@Service
public class ExperimentService {
    private final JdbcClient jdbc;
    private final Scheduler scheduler;
    private final ApplicationEventPublisher events;
    private final dev.sparselab.experiment.outbox.Outbox outbox;

    ExperimentService(JdbcClient jdbc, Scheduler scheduler, ApplicationEventPublisher events,
                      dev.sparselab.experiment.outbox.Outbox outbox) {
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.events = events;
    }

    /**
     * Published in the submitting transaction when an experiment with a search was stored (without runs): the
     * search's listener proposes its first trials there, so the submission's answer lists them.
     */
    public record SearchOpened(UUID experimentId) {
    }

    /** A created run (or, for a duplicate submission, the existing identical run). */
    public record CreatedRun(UUID id, long seed, Map<String, JsonNode> gridPoint, RunStatus status) {
    }

    /**
     * A created experiment; {@code duplicateOf} is set when nothing was created because identical runs
     * exist: then {@code id} and {@code runs} are the existing ones.
     */
    public record Created(UUID id, String name, List<CreatedRun> runs, UUID duplicateOf) {
    }

    /** sha256 of what determines a run's result (see {@link ExperimentSpec#content()}). */
    public static String contentHash(ExperimentSpec runSpec) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(EventCodec.encode(runSpec.content()).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stores an experiment and its planned runs (validated, defaults applied), or finds that it exists.
     *
     * @param spec  the experiment's spec as submitted (with its sweep)
     * @param plan  the runs it expands to
     * @param owner   who submits it
     * @param project the project it goes into (identical runs are looked for there only)
     */
    @Transactional
    public Created submit(ExperimentSpec spec, List<PlannedRun> plan, String owner, UUID project) {
        if (spec.sweep() != null && spec.sweep().search() != null) {
            return submitSearch(spec, owner, project);
        }
        List<String> hashes = plan.stream().map(p -> contentHash(p.spec())).toList();
        if (!Boolean.TRUE.equals(spec.force())) {
            Optional<Created> existing = existing(hashes, plan, project);
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        UUID experimentId = UUID.randomUUID();
        String traceParent = outbox.traceParent();
        jdbc.sql("insert into experiments (id, name, spec, owner, project_id) values (?, ?, ?::jsonb, ?, ?)")
                .params(experimentId, spec.name(), EventCodec.encode(spec), owner, project).update();
        List<CreatedRun> runs = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            PlannedRun planned = plan.get(i);
            UUID runId = UUID.randomUUID();
            jdbc.sql("""
                    insert into runs (id, experiment_id, seed, spec, grid_point, ordinal, status, owner, priority,
                      content_hash, trace_parent)
                    values (?, ?, ?, ?::jsonb, ?::jsonb, ?, 'QUEUED', ?, ?, ?, ?)""")
                    .params(runId, experimentId, planned.seed(), EventCodec.encode(planned.spec()),
                            EventCodec.encode(planned.gridPoint()), i, owner, spec.priorityRank(), hashes.get(i),
                            traceParent)
                    .update();
            runs.add(new CreatedRun(runId, planned.seed(), planned.gridPoint(), RunStatus.QUEUED));
        }
        scheduler.wakeUp();
        return new Created(experimentId, spec.name(), runs, null);
    }

    /**
     * A search: the experiment (open), and its first trials proposed in this transaction. The same search submitted
     * again into the same project (the same spec, not forced) is answered with the existing one.
     */
    private Created submitSearch(ExperimentSpec spec, String owner, UUID project) {
        String json = EventCodec.encode(spec);
        if (!Boolean.TRUE.equals(spec.force())) {
            Optional<UUID> same = jdbc.sql("""
                    select id from experiments where project_id = ? and spec = ?::jsonb
                    order by created_at desc limit 1""").params(project, json).query(UUID.class).optional();
            if (same.isPresent()) {
                return new Created(same.get(), spec.name(), trials(same.get()), same.get());
            }
        }
        UUID experimentId = UUID.randomUUID();
        jdbc.sql("""
                insert into experiments (id, name, spec, owner, project_id, search_open)
                values (?, ?, ?::jsonb, ?, ?, true)""").params(experimentId, spec.name(), json, owner, project).update();
        events.publishEvent(new SearchOpened(experimentId));
        return new Created(experimentId, spec.name(), trials(experimentId), null);
    }

    private List<CreatedRun> trials(UUID experimentId) {
        return jdbc.sql("select id, seed, grid_point::text, status from runs where experiment_id = ? order by ordinal")
                .param(experimentId)
                .query((rs, i) -> new CreatedRun(rs.getObject(1, UUID.class), rs.getLong(2),
                        EventCodec.mapper().readValue(rs.getString(3),
                                new tools.jackson.core.type.TypeReference<Map<String, JsonNode>>() {
                                }),
                        RunStatus.valueOf(rs.getString(4))))
                .list();
    }

    /**
     * Adds one trial of a search to its experiment, QUEUED for the scheduler; or, when {@code invalid} says why its
     * values make no valid run, FAILED with that reason (it still counts against the budget).
     */
    @Transactional
    public UUID addTrial(UUID experimentId, int ordinal, Map<String, JsonNode> point, ExperimentSpec runSpec,
                         String owner, int priority, String invalid) {
        UUID runId = UUID.randomUUID();
        jdbc.sql("""
                insert into runs (id, experiment_id, seed, spec, grid_point, ordinal, status, owner, priority,
                  content_hash, reason, finished_at, trace_parent)
                values (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, case when ? then now() end, ?)""")
                .params(runId, experimentId, runSpec.training().seed(), EventCodec.encode(runSpec),
                        EventCodec.encode(point), ordinal, invalid == null ? "QUEUED" : "FAILED", owner, priority,
                        contentHash(runSpec), invalid, invalid != null, outbox.traceParent())
                .update();
        if (invalid == null) {
            scheduler.wakeUp();
        }
        return runId;
    }

    /**
     * The existing experiment that already has a live (not failed or cancelled) run for every planned
     * run, if there is one: the newest such runs, in plan order.
     */
    private Optional<Created> existing(List<String> hashes, List<PlannedRun> plan, UUID project) {
        List<CreatedRun> found = new ArrayList<>();
        UUID experiment = null;
        for (int i = 0; i < hashes.size(); i++) {
            PlannedRun planned = plan.get(i);
            Optional<Object[]> match = jdbc.sql("""
                    select r.id, r.experiment_id, r.status from runs r join experiments e on e.id = r.experiment_id
                    where r.content_hash = ? and r.status not in ('FAILED', 'CANCELLED') and e.project_id = ?
                    order by r.created_at desc limit 1""").params(hashes.get(i), project)
                    .query((rs, n) -> new Object[]{rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            RunStatus.valueOf(rs.getString(3))})
                    .optional();
            if (match.isEmpty()) {
                return Optional.empty();
            }
            experiment = experiment == null ? (UUID) match.get()[1] : experiment;
            found.add(new CreatedRun((UUID) match.get()[0], planned.seed(), planned.gridPoint(),
                    (RunStatus) match.get()[2]));
        }
        UUID id = experiment;
        return Optional.ofNullable(id).map(e -> new Created(e,
                jdbc.sql("select name from experiments where id = ?").param(e).query(String.class).single(),
                found, e));
    }
}
