package dev.sparselab.experiment.search;

import dev.sparselab.experiment.access.Access;
import dev.sparselab.experiment.access.Caller;
import dev.sparselab.experiment.api.NotFoundException;
import java.util.UUID;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SearchController {
    private final SearchService searches;
    private final Access access;

    SearchController(SearchService searches, Access access) {
        this.searches = searches;
        this.access = access;
    }

    /** An experiment's search: its settings, its trials with their values and objectives, and its Pareto set. */
    @GetMapping("/api/v1/experiments/{id}/search")
    @Transactional(readOnly = true)
    SearchService.Report get(@PathVariable UUID id, Caller caller) {
        access.readExperiment(caller, id);
        return searches.report(id).orElseThrow(() -> new NotFoundException("experiment " + id + " has no search"));
    }
}
