package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.PlannedRun;
import dev.sparselab.experiment.outbox.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/** Creates experiments: the experiment, one run per seed, and their RunRequested events, atomically. */
@Service
public class ExperimentService {
    private final JdbcClient jdbc;
    private final Outbox outbox;

    ExperimentService(JdbcClient jdbc, Outbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /** A created run. */
    public record CreatedRun(UUID id, long seed, Map<String, JsonNode> gridPoint, RunStatus status) {
    }

    /** A created experiment. */
    public record Created(UUID id, String name, List<CreatedRun> runs) {
    }

    /**
     * Stores an experiment and its planned runs (validated, defaults applied) and requests the runs.
     *
     * @param spec the experiment's spec as submitted (with its sweep)
     * @param plan the runs it expands to
     */
    @Transactional
    public Created submit(ExperimentSpec spec, List<PlannedRun> plan) {
        UUID experimentId = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec) values (?, ?, ?::jsonb)")
                .params(experimentId, spec.name(), EventCodec.encode(spec)).update();
        List<CreatedRun> runs = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            PlannedRun planned = plan.get(i);
            UUID runId = UUID.randomUUID();
            jdbc.sql("""
                    insert into runs (id, experiment_id, seed, spec, grid_point, ordinal, status)
                    values (?, ?, ?, ?::jsonb, ?::jsonb, ?, 'QUEUED')""")
                    .params(runId, experimentId, planned.seed(), EventCodec.encode(planned.spec()),
                            EventCodec.encode(planned.gridPoint()), i)
                    .update();
            outbox.append(Topics.RUN_REQUESTED, "run", runId.toString(),
                    RunRequested.of(runId, experimentId, planned.spec()));
            runs.add(new CreatedRun(runId, planned.seed(), planned.gridPoint(), RunStatus.QUEUED));
        }
        return new Created(experimentId, spec.name(), runs);
    }
}
