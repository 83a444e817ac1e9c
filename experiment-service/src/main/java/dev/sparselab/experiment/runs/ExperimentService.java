package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.experiment.outbox.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

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
    public record CreatedRun(UUID id, long seed, RunStatus status) {
    }

    /** A created experiment. */
    public record Created(UUID id, String name, List<CreatedRun> runs) {
    }

    /** Stores a validated spec (defaults applied) and requests its runs. */
    @Transactional
    public Created submit(ExperimentSpec spec) {
        UUID experimentId = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec) values (?, ?, ?::jsonb)")
                .params(experimentId, spec.name(), EventCodec.encode(spec)).update();
        List<Long> seeds = spec.sweep() == null || spec.sweep().seeds() == null
                ? List.of(spec.training().seed()) : spec.sweep().seeds();
        List<CreatedRun> runs = new ArrayList<>();
        for (long seed : seeds) {
            UUID runId = UUID.randomUUID();
            ExperimentSpec runSpec = spec.forRun(seed);
            jdbc.sql("insert into runs (id, experiment_id, seed, spec, status) values (?, ?, ?, ?::jsonb, 'QUEUED')")
                    .params(runId, experimentId, seed, EventCodec.encode(runSpec)).update();
            outbox.append(Topics.RUN_REQUESTED, "run", runId.toString(), RunRequested.of(runId, experimentId, runSpec));
            runs.add(new CreatedRun(runId, seed, RunStatus.QUEUED));
        }
        return new Created(experimentId, spec.name(), runs);
    }
}
