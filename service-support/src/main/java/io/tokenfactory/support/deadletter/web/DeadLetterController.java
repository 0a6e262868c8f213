package io.tokenfactory.support.deadletter.web;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.deadletter.DeadLetter;
import io.tokenfactory.support.deadletter.DeadLetterDetail;
import io.tokenfactory.support.deadletter.DeadLetterList;
import io.tokenfactory.support.deadletter.DeadLetters;

import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A servlet service's dead letters (scope {@code admin}, see {@code ServiceSecurity});
 * the gateway reaches it at {@code /api/dead-letters/<service>}. Importing this class
 * into a service's configuration registers it.
 */
@RestController
@RequestMapping("/api/dead-letters")
public class DeadLetterController {

    private final DeadLetters deadLetters;

    public DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    DeadLetterList list(@RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String limit) {
        return deadLetters.list(status, limit);
    }

    @GetMapping("/{id}")
    DeadLetterDetail get(@PathVariable String id) {
        return deadLetters.get(id);
    }

    /**
     * Replays; {@code trustPublisher=true} vouches for one parked because its publisher
     * was not its destination's owner.
     */
    @PostMapping("/{id}/replay")
    DeadLetter replay(@PathVariable String id, @RequestParam(defaultValue = "false") boolean trustPublisher) {
        return deadLetters.replay(id, trustPublisher, Actor.current());
    }

    /** Discards (the row stays, marked discarded with the reason). */
    @DeleteMapping("/{id}")
    DeadLetter discard(@PathVariable String id, @RequestParam(required = false) @Nullable String reason) {
        return deadLetters.discard(id, reason, Actor.current());
    }

}
