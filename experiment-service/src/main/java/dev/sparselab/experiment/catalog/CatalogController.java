package dev.sparselab.experiment.catalog;

import dev.sparselab.contracts.spec.Catalog;
import dev.sparselab.contracts.spec.SpecParser;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/v1/catalog}: datasets, models, distributions and methods with their JSON schemas. */
@RestController
class CatalogController {
    private final JsonNode catalog;

    CatalogController(SpecParser parser) {
        this.catalog = Catalog.build(parser.schema());
    }

    @GetMapping("/api/v1/catalog")
    JsonNode catalog() {
        return catalog;
    }
}
