package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A sweep: one run per seed (the grid over spec paths comes with the method library). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepSpec(List<Long> seeds) {
}
