package dev.sparselab.experiment.search;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.InvalidSpecException;
import dev.sparselab.contracts.spec.SearchSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.experiment.compare.RunMetrics;
import dev.sparselab.experiment.runs.ExperimentService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * Runs searches ({@code sweep.search}): proposes a search's trials while it is open, as runs of its experiment, keeping
 * {@code parallelism} of them queued or running (the scheduler meters them onto the trainers like any run) until
 * {@code budget} trials exist; then the search is closed. A trial is proposed from the trials SUCCEEDED so far (a run
 * ASHA stopped early counts with its evaluation); failed and cancelled trials count against the budget only.
 *
 * <p>One proposer per search at a time, however many experiment-services run: each pass takes the experiment's row
 * lock; cancelling the experiment closes the search under the same lock first.
 */
@Service
class SearchService {
    private static final Logger log = LoggerFactory.getLogger(SearchService.class);
    private static final TypeReference<Map<String, JsonNode>> POINT = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final SpecParser parser;
    private final ExperimentService experiments;
    private final TransactionTemplate tx;

    SearchService(JdbcClient jdbc, SpecParser parser, ExperimentService experiments, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.parser = parser;
        this.experiments = experiments;
        this.tx = tx;
    }

    /** A search just submitted: its first trials, in the submitting transaction. */
    @EventListener
    void opened(ExperimentService.SearchOpened event) {
        fill(event.experimentId());
    }

    /** Looks at every open search: trials that ended make room for new ones. */
    @Scheduled(fixedDelayString = "${sparselab.experiment.search-poll:500ms}")
    void tick() {
        for (UUID id : jdbc.sql("select id from experiments where search_open").query(UUID.class).list()) {
            try {
                tx.executeWithoutResult(s -> fill(id));
            } catch (RuntimeException e) {
                log.warn("search {}: proposing failed (will retry): {}", id, e.toString());
            }
        }
    }

    /** Proposes what the search has budget and room for; closes it once its budget is spent. How many it added. */
    int fill(UUID experimentId) {
        Optional<Object[]> row = jdbc.sql("select spec::text, owner, search_open from experiments where id = ? for update")
                .param(experimentId)
                .query((rs, i) -> new Object[]{rs.getString(1), rs.getString(2), rs.getBoolean(3)}).optional();
        if (row.isEmpty() || !(Boolean) row.get()[2]) {
            return 0;
        }
        ExperimentSpec spec = EventCodec.decode((String) row.get()[0], ExperimentSpec.class);
        SearchSpec search = spec.sweep().search();
        long[] counts = jdbc.sql("""
                select count(*), count(*) filter (where status in ('QUEUED', 'RUNNING', 'EVALUATING'))
                from runs where experiment_id = ?""").param(experimentId)
                .query((rs, i) -> new long[]{rs.getLong(1), rs.getLong(2)}).single();
        long n = counts[0];
        long live = counts[1];
        long seed = spec.sweep().seeds() != null && !spec.sweep().seeds().isEmpty() ? spec.sweep().seeds().get(0)
                : spec.training().seed();
        int added = 0;
        List<Trial> completed = null;
        while (n < search.budget() && live < search.parallelism()) {
            if (completed == null) {
                completed = completed(experimentId, search);
            }
            Map<String, JsonNode> point = Samplers.propose(search, completed, (int) n);
            ExperimentSpec run;
            String invalid = null;
            try {
                run = parser.trialSpec(spec, point, seed);
            } catch (InvalidSpecException e) {
                run = spec.forRun(seed);
                invalid = "the search proposed values that make an invalid run: " + e.errors().stream()
                        .map(f -> (f.pointer().isEmpty() ? "" : f.pointer() + " ") + f.message()).toList();
            }
            experiments.addTrial(experimentId, (int) n, point, run, (String) row.get()[1], spec.priorityRank(),
                    invalid);
            n++;
            live += invalid == null ? 1 : 0;
            added++;
        }
        if (n >= search.budget()) {
            jdbc.sql("update experiments set search_open = false where id = ?").param(experimentId).update();
            log.info("search {}: all {} trials proposed", experimentId, search.budget());
        }
        return added;
    }

    /** The search's SUCCEEDED trials with every objective's value, in trial order. */
    List<Trial> completed(UUID experimentId, SearchSpec search) {
        List<Trial> trials = new ArrayList<>();
        for (TrialView t : trials(experimentId, search)) {
            if ("SUCCEEDED".equals(t.status()) && t.objectives().size() == search.objectives().size()) {
                trials.add(new Trial(t.trial(), t.params(), losses(t.objectives(), search)));
            }
        }
        return trials;
    }

    private static double[] losses(Map<String, Double> values, SearchSpec search) {
        return search.objectives().stream()
                .mapToDouble(o -> o.maximize() ? -values.get(o.metric()) : values.get(o.metric())).toArray();
    }

    /** One trial: its run, values, and objective values (those its evaluation has). */
    public record TrialView(int trial, UUID runId, String status, boolean stoppedEarly, String reason,
                            Map<String, JsonNode> params, Map<String, Double> objectives, boolean onFront) {
    }

    /**
     * A search and its trials. {@code front}: the trial numbers of the Pareto set of the completed trials (for one
     * objective: the best trial, and any tied with it), best first by the first objective.
     */
    public record Report(UUID experimentId, String type, int budget, int parallelism, long seed,
                         List<SearchSpec.Objective> objectives, Map<String, SearchSpec.Param> space, boolean open,
                         int proposed, int completed, List<Integer> front, List<TrialView> trials) {
    }

    private List<TrialView> trials(UUID experimentId, SearchSpec search) {
        return jdbc.sql("""
                        select r.ordinal, r.id, r.status, r.stopped_early, r.reason, r.grid_point::text, %s
                        from runs r left join evaluations e on e.run_id = r.id
                        where r.experiment_id = ? order by r.ordinal""".formatted(RunMetrics.COLUMNS))
                .param(experimentId)
                .query((rs, i) -> {
                    Map<String, Double> metrics = RunMetrics.read(rs, 7);
                    Map<String, Double> objectives = new java.util.LinkedHashMap<>();
                    for (SearchSpec.Objective o : search.objectives()) {
                        Double v = metrics.get(o.metric());
                        if (v != null && Double.isFinite(v)) {
                            objectives.put(o.metric(), v);
                        }
                    }
                    return new TrialView(rs.getInt(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getBoolean(4), rs.getString(5), EventCodec.mapper().readValue(rs.getString(6), POINT),
                            objectives, false);
                })
                .list();
    }

    /** The search of an experiment; empty when the experiment has none (or does not exist). */
    Optional<Report> report(UUID experimentId) {
        Optional<Object[]> row = jdbc.sql("select spec::text, search_open from experiments where id = ?")
                .param(experimentId).query((rs, i) -> new Object[]{rs.getString(1), rs.getBoolean(2)}).optional();
        if (row.isEmpty()) {
            return Optional.empty();
        }
        ExperimentSpec spec = EventCodec.decode((String) row.get()[0], ExperimentSpec.class);
        if (spec.sweep() == null || spec.sweep().search() == null) {
            return Optional.empty();
        }
        SearchSpec search = spec.sweep().search();
        List<TrialView> trials = trials(experimentId, search);
        List<TrialView> done = trials.stream().filter(t -> "SUCCEEDED".equals(t.status())
                && t.objectives().size() == search.objectives().size()).toList();
        List<double[]> losses = done.stream().map(t -> losses(t.objectives(), search)).toList();
        List<Integer> front = new ArrayList<>(Pareto.front(losses).stream().map(i -> done.get(i).trial()).toList());
        Map<Integer, double[]> byTrial = new java.util.HashMap<>();
        for (int i = 0; i < done.size(); i++) {
            byTrial.put(done.get(i).trial(), losses.get(i));
        }
        front.sort(Comparator.<Integer>comparingDouble(t -> byTrial.get(t)[0]).thenComparing(t -> t));
        java.util.Set<Integer> onFront = new java.util.HashSet<>(front);
        List<TrialView> views = trials.stream().map(t -> new TrialView(t.trial(), t.runId(), t.status(),
                t.stoppedEarly(), t.reason(), t.params(), t.objectives(), onFront.contains(t.trial()))).toList();
        return Optional.of(new Report(experimentId, search.type(), search.budget(), search.parallelism(),
                search.seed(), search.objectives(), search.space(), (Boolean) row.get()[1], trials.size(),
                done.size(), front, views));
    }
}
