package dev.sparselab.experiment.api;

import dev.sparselab.experiment.admin.DeadLetters;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operator views (issue 8 restricts them to admins). */
@RestController
@RequestMapping("/api/v1/admin")
class AdminController {
    private final DeadLetters deadLetters;

    AdminController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** Records that could not be processed after bounded retries, newest first. */
    @GetMapping("/dead-letters")
    List<DeadLetters.DeadLetter> deadLetters(@RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new BadParameterException("limit", "must be between 1 and 1000");
        }
        return deadLetters.list(limit);
    }
}
