package io.tokenfactory.gateway.apikey.web;

import java.util.List;
import java.util.concurrent.Callable;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.gateway.ClientAddress;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.apikey.TagPolicy;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The cost tag keys keys and agents may carry: anyone who sets tags reads them;
 * administrators set the keys allowed beyond {@code team} and {@code project}.
 */
@RestController
class TagPolicyController {

    private final TagPolicy policy;

    TagPolicyController(TagPolicy policy) {
        this.policy = policy;
    }

    @GetMapping("/api/tags")
    Mono<TagPolicy.Allowed> allowed() {
        return blocking(policy::allowed);
    }

    @PutMapping("/api/tags/allowed-keys")
    Mono<TagPolicy.Allowed> allow(@Valid @RequestBody AllowedKeys request, Authentication caller,
            ServerWebExchange exchange) {
        ApiKeyView key = (ApiKeyView) caller.getPrincipal();
        return blocking(() -> policy.allow(request.keys(), key.actor(ClientAddress.of(exchange))));
    }

    /**
     * @param keys the tag keys allowed beyond team and project; the list replaces the
     * last one
     */
    record AllowedKeys(@NotNull List<String> keys) {
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

}
