package io.tokenfactory.gateway.apikey.web;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import io.tokenfactory.gateway.ClientAddress;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.apikey.IssuedApiKey;
import io.tokenfactory.gateway.apikey.KeyAuthority;
import io.tokenfactory.gateway.apikey.KeyIssuing;
import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.support.audit.Actor;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * API keys, for administrators and key administrators ({@code keys:admin}: department
 * keys only), and for agent-service's own key (its agents' inference keys: issue,
 * revoke). A secret appears in exactly two responses: when the key is created and when it
 * is rotated. The database work is blocking JDBC, so it runs off the event loop.
 */
@RestController
@RequestMapping("/api/keys")
class ApiKeyController {

    private final ApiKeys keys;

    private final KeyIssuing issuing;

    private final Clock clock;

    ApiKeyController(ApiKeys keys, KeyIssuing issuing, Clock clock) {
        this.keys = keys;
        this.issuing = issuing;
        this.clock = clock;
    }

    @PostMapping
    Mono<ResponseEntity<CreatedKeyResponse>> create(@Valid @RequestBody CreateKeyRequest request, Authentication caller,
            ServerWebExchange exchange) {
        NewApiKey spec = new NewApiKey(request.name().strip(), request.departmentId(), request.agentId(),
                request.scopes(), request.allowedModels() == null ? List.of() : request.allowedModels(),
                request.rpmLimit(), request.tpmLimit(), request.expiresAt(), request.monthlyBudget(),
                request.priority(), request.maxConcurrent(), request.tags());
        return issuing.issue(spec, KeyAuthority.of(caller.getAuthorities()), actor(caller, exchange))
            .map(issued -> ResponseEntity.created(URI.create("/api/keys/" + issued.key().id()))
                .body(CreatedKeyResponse.of(issued, clock.instant())));
    }

    @GetMapping
    Mono<List<KeyResponse>> list(@RequestParam(required = false) UUID departmentId) {
        return blocking(
                () -> keys.list(departmentId).stream().map(key -> KeyResponse.of(key, clock.instant())).toList());
    }

    @GetMapping("/{id}")
    Mono<KeyResponse> get(@PathVariable UUID id) {
        return blocking(() -> KeyResponse.of(keys.get(id), clock.instant()));
    }

    @PostMapping("/{id}/rotate")
    Mono<CreatedKeyResponse> rotate(@PathVariable UUID id, Authentication caller, ServerWebExchange exchange) {
        return managed(id, caller, exchange, actor -> CreatedKeyResponse.of(keys.rotate(id, actor), clock.instant()));
    }

    @PostMapping("/{id}/revoke")
    Mono<KeyResponse> revoke(@PathVariable UUID id, Authentication caller, ServerWebExchange exchange) {
        return issuing.revoke(id, KeyAuthority.of(caller.getAuthorities()), actor(caller, exchange))
            .map(key -> KeyResponse.of(key, clock.instant()));
    }

    /** Sets the key's own monthly budget; {@code monthlyBudget: null} removes it. */
    @PutMapping("/{id}/budget")
    Mono<KeyResponse> budget(@PathVariable UUID id, @Valid @RequestBody BudgetRequest request, Authentication caller,
            ServerWebExchange exchange) {
        return managed(id, caller, exchange,
                actor -> KeyResponse.of(keys.budget(id, request.monthlyBudget(), actor), clock.instant()));
    }

    /**
     * Replaces the key's cost tags; agent-service sets its agents' keys' tags from the
     * agents'.
     */
    @PutMapping("/{id}/tags")
    Mono<KeyResponse> tags(@PathVariable UUID id, @Valid @RequestBody TagsRequest request, Authentication caller,
            ServerWebExchange exchange) {
        KeyAuthority authority = KeyAuthority.of(caller.getAuthorities());
        Actor actor = actor(caller, exchange);
        return blocking(() -> {
            KeyIssuing.requireTags(keys.get(id), authority);
            return KeyResponse.of(keys.tags(id, request.tags(), actor), clock.instant());
        });
    }

    @PutMapping("/{id}/expiry")
    Mono<KeyResponse> expire(@PathVariable UUID id, @Valid @RequestBody ExpiryRequest request, Authentication caller,
            ServerWebExchange exchange) {
        return managed(id, caller, exchange,
                actor -> KeyResponse.of(keys.expire(id, request.expiresAt(), actor), clock.instant()));
    }

    /**
     * A change to a key the caller may manage ({@link KeyIssuing#requireManages}),
     * recorded as the caller's; off the event loop.
     */
    private <T> Mono<T> managed(UUID id, Authentication caller, ServerWebExchange exchange, Function<Actor, T> change) {
        KeyAuthority authority = KeyAuthority.of(caller.getAuthorities());
        Actor actor = actor(caller, exchange);
        return blocking(() -> {
            KeyIssuing.requireManages(keys.get(id), authority);
            return change.apply(actor);
        });
    }

    /** The caller as the audit trail records it: the key, its department, its address. */
    private static Actor actor(Authentication caller, ServerWebExchange exchange) {
        ApiKeyView key = (ApiKeyView) caller.getPrincipal();
        return key.actor(ClientAddress.of(exchange));
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

    record CreateKeyRequest(@NotBlank @Size(max = 100) String name, UUID departmentId, UUID agentId,
            @NotEmpty Set<@NotBlank String> scopes, List<@NotBlank @Size(max = 200) String> allowedModels,
            @Positive Integer rpmLimit, @Positive Long tpmLimit, Instant expiresAt,
            @PositiveOrZero @Digits(integer = 13, fraction = 6) BigDecimal monthlyBudget,
            @Pattern(regexp = "interactive|batch", message = "must be 'interactive' or 'batch'") String priority,
            @Positive @Max(10_000) Integer maxConcurrent, Map<String, String> tags) {
    }

    /**
     * @param tags {@code team}, {@code project} and keys an administrator allows; empty
     * removes them all
     */
    record TagsRequest(@NotNull Map<String, String> tags) {
    }

    /**
     * @param monthlyBudget in billing's currency; null removes the key's own budget
     */
    record BudgetRequest(@PositiveOrZero @Digits(integer = 13, fraction = 6) BigDecimal monthlyBudget) {
    }

    /**
     * @param expiresAt when the key stops working; absent means now
     */
    record ExpiryRequest(Instant expiresAt) {
    }

    record KeyResponse(UUID id, String name, String secretHint, UUID departmentId, UUID agentId, Set<String> scopes,
            List<String> allowedModels, Integer rpmLimit, Long tpmLimit, Instant expiresAt, Instant revokedAt,
            Instant createdAt, Instant rotatedAt, ApiKeyView.Status status, BigDecimal monthlyBudget, String priority,
            Integer maxConcurrent, Map<String, String> tags) {

        static KeyResponse of(ApiKeyView key, Instant now) {
            return new KeyResponse(key.id(), key.name(), key.secretHint(), key.departmentId(), key.agentId(),
                    key.scopes(), key.allowedModels(), key.rpmLimit(), key.tpmLimit(), key.expiresAt(), key.revokedAt(),
                    key.createdAt(), key.rotatedAt(), key.statusAt(now), key.monthlyBudget(), key.priority(),
                    key.maxConcurrent(), key.tags());
        }
    }

    /**
     * @param secret the key itself: shown in this response only, stored nowhere
     */
    record CreatedKeyResponse(KeyResponse key, String secret) {

        static CreatedKeyResponse of(IssuedApiKey issued, Instant now) {
            return new CreatedKeyResponse(KeyResponse.of(issued.key(), now), issued.secret());
        }
    }

}
