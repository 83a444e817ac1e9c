package dev.sparselab.experiment.compare;

import dev.sparselab.experiment.api.BadParameterException;
import dev.sparselab.experiment.api.NotFoundException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/compare?experiment=ID[&experiment=ID2...]}: JSON, or CSV with {@code Accept: text/csv}. */
@RestController
class CompareController {
    private final CompareService compare;
    private final dev.sparselab.experiment.access.Access access;

    CompareController(CompareService compare, dev.sparselab.experiment.access.Access access) {
        this.compare = compare;
        this.access = access;
    }

    @GetMapping(value = "/api/v1/compare", produces = MediaType.APPLICATION_JSON_VALUE)
    CompareService.Comparison json(@RequestParam(name = "experiment", required = false) List<UUID> experiments,
                                    dev.sparselab.experiment.access.Caller caller) {
        return load(experiments, caller);
    }

    @GetMapping(value = "/api/v1/compare", produces = "text/csv")
    String csv(@RequestParam(name = "experiment", required = false) List<UUID> experiments,
               dev.sparselab.experiment.access.Caller caller) {
        return CompareService.csv(load(experiments, caller));
    }

    private CompareService.Comparison load(List<UUID> experiments, dev.sparselab.experiment.access.Caller caller) {
        if (experiments == null || experiments.isEmpty()) {
            throw new BadParameterException("experiment", "is required (one or more experiment ids)");
        }
        if (experiments.size() > 50) {
            throw new BadParameterException("experiment", "may be given at most 50 times");
        }
        experiments.forEach(e -> access.readExperiment(caller, e));
        return compare.compare(experiments).orElseThrow(() -> new NotFoundException(
                "one of the experiments " + experiments + " does not exist"));
    }
}
