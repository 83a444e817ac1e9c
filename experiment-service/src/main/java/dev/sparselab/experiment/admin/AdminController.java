package dev.sparselab.experiment.admin;

import dev.sparselab.experiment.api.BadParameterException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operator views, for instance administrators (others get 404). */
@RestController
@RequestMapping("/api/v1/admin")
class AdminController {
    private final DeadLetters deadLetters;
    private final dev.sparselab.experiment.access.Access access;
    private final dev.sparselab.experiment.outbox.Outbox outbox;

    AdminController(DeadLetters deadLetters, dev.sparselab.experiment.access.Access access,
                    dev.sparselab.experiment.outbox.Outbox outbox) {
        this.deadLetters = deadLetters;
        this.access = access;
        this.outbox = outbox;
    }

    /** Outbox rows the broker kept refusing, set aside so that later rows go on; newest first. */
    @GetMapping("/outbox/parked")
    List<dev.sparselab.experiment.outbox.Outbox.Parked> parkedOutbox(@RequestParam(defaultValue = "100") int limit,
                                                                     dev.sparselab.experiment.access.Caller caller) {
        access.requireAdmin(caller);
        if (limit < 1 || limit > 1000) {
            throw new BadParameterException("limit", "must be between 1 and 1000");
        }
        return outbox.parked(limit);
    }

    /** Records that could not be processed after bounded retries, newest first. */
    @GetMapping("/dead-letters")
    List<DeadLetters.DeadLetter> deadLetters(@RequestParam(defaultValue = "100") int limit,
                                                  dev.sparselab.experiment.access.Caller caller) {
        access.requireAdmin(caller);
        if (limit < 1 || limit > 1000) {
            throw new BadParameterException("limit", "must be between 1 and 1000");
        }
        return deadLetters.list(limit);
    }
}
