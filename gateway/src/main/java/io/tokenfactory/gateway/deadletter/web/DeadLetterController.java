package io.tokenfactory.gateway.deadletter.web;

import java.util.concurrent.Callable;

import io.tokenfactory.gateway.ClientAddress;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.deadletter.DeadLetter;
import io.tokenfactory.support.deadletter.DeadLetterDetail;
import io.tokenfactory.support.deadletter.DeadLetterList;
import io.tokenfactory.support.deadletter.DeadLetters;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The gateway's own dead letters (scope {@code admin}), the same API the servlet services
 * serve at {@code /api/dead-letters} and the gateway routes to at
 * {@code /api/dead-letters/<service>}. The work is blocking JDBC, so it runs off the
 * event loop.
 */
@RestController
@RequestMapping("/api/dead-letters/gateway")
class DeadLetterController {

    private final DeadLetters deadLetters;

    DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    Mono<DeadLetterList> list(@RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String limit) {
        return blocking(() -> deadLetters.list(status, limit));
    }

    @GetMapping("/{id}")
    Mono<DeadLetterDetail> get(@PathVariable String id) {
        return blocking(() -> deadLetters.get(id));
    }

    @PostMapping("/{id}/replay")
    Mono<DeadLetter> replay(@PathVariable String id, @RequestParam(defaultValue = "false") boolean trustPublisher,
            @AuthenticationPrincipal ApiKeyView caller, ServerWebExchange exchange) {
        Actor actor = actor(caller, exchange);
        return blocking(() -> deadLetters.replay(id, trustPublisher, actor));
    }

    @DeleteMapping("/{id}")
    Mono<DeadLetter> discard(@PathVariable String id, @RequestParam(required = false) @Nullable String reason,
            @AuthenticationPrincipal ApiKeyView caller, ServerWebExchange exchange) {
        Actor actor = actor(caller, exchange);
        return blocking(() -> deadLetters.discard(id, reason, actor));
    }

    private static Actor actor(ApiKeyView caller, ServerWebExchange exchange) {
        return caller.actor(ClientAddress.of(exchange));
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

}
