package io.tokenfactory.billing.alert.web;

import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.tokenfactory.billing.alert.AlertKind;
import io.tokenfactory.billing.alert.CreatedWebhook;
import io.tokenfactory.billing.alert.DeliveryView;
import io.tokenfactory.billing.alert.WebhookFormat;
import io.tokenfactory.billing.alert.WebhookSubscriptions;
import io.tokenfactory.billing.alert.WebhookTerms;
import io.tokenfactory.billing.alert.WebhookView;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Webhook subscriptions: a department's key manages its department's, an administrator's
 * every department's and the administrators' own (no department: told of every
 * department). A key bound to an agent manages none.
 */
@RestController
@RequestMapping("/api/billing/webhooks")
class WebhookController {

    /**
     * http or https, a host name or an IP literal, an optional port and path; no
     * credentials.
     */
    private static final String URL = "(?i)https?://(\\[[0-9a-f:.]+\\]|[a-z0-9]([a-z0-9_-]*[a-z0-9])?"
            + "(\\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*)(:[0-9]{1,5})?([/?#]\\S*)?";

    private static final String KINDS = "BUDGET_WARNING|BUDGET_EXCEEDED|BUDGET_OK|AGENT_PAUSED_BY_BUDGET|MONTH_CLOSED";

    private static final int MAX_DELIVERIES = 200;

    private final WebhookSubscriptions webhooks;

    WebhookController(WebhookSubscriptions webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping
    ResponseEntity<CreatedResponse> create(@Valid @RequestBody WebhookRequest request) {
        Caller caller = manager();
        UUID department = caller.scopeTo(request.departmentId());
        CreatedWebhook created = webhooks.create(department, request.terms(true));
        return ResponseEntity.created(URI.create("/api/billing/webhooks/" + created.webhook().id()))
            .body(new CreatedResponse(WebhookResponse.of(created.webhook()), created.secret()));
    }

    @GetMapping
    List<WebhookResponse> list(@ModelAttribute WebhookFilter filter) {
        return webhooks.list(manager().scopeTo(filter.department())).stream().map(WebhookResponse::of).toList();
    }

    @GetMapping("/{id}")
    WebhookResponse get(@PathVariable UUID id) {
        return WebhookResponse.of(managed(id));
    }

    /** Replaces every field but the department and the secret. */
    @PutMapping("/{id}")
    WebhookResponse update(@PathVariable UUID id, @Valid @RequestBody WebhookRequest request) {
        WebhookView current = managed(id);
        if (request.departmentId() != null && !request.departmentId().equals(current.departmentId())) {
            throw ApiProblemException.unprocessable("department_fixed",
                    "A webhook's department cannot change; create one for the other department");
        }
        return WebhookResponse.of(webhooks.update(id, request.terms(current.active())));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id) {
        managed(id);
        webhooks.delete(id);
    }

    /**
     * Queues a signed test delivery ({@code PING}); the delivery log shows how it went.
     */
    @PostMapping("/{id}/test")
    ResponseEntity<TestResponse> test(@PathVariable UUID id) {
        managed(id);
        return ResponseEntity.accepted().body(new TestResponse(webhooks.ping(id)));
    }

    @GetMapping("/{id}/deliveries")
    List<DeliveryView> deliveries(@PathVariable UUID id, @ModelAttribute DeliveryFilter filter) {
        managed(id);
        int limit = filter.limit() == null ? 50 : filter.limit();
        if (limit < 1 || limit > MAX_DELIVERIES) {
            throw QueryParameters.invalid("'limit' must be between 1 and " + MAX_DELIVERIES);
        }
        return webhooks.deliveries(id, limit);
    }

    /** The caller, if its key may manage webhooks at all. */
    private static Caller manager() {
        Caller caller = Caller.current();
        if (caller.agentId() != null) {
            throw ApiProblemException.forbidden("An agent's key does not manage webhooks");
        }
        return caller;
    }

    /**
     * A subscription the caller may manage: its department's, or any for an
     * administrator.
     */
    private WebhookView managed(UUID id) {
        Caller caller = manager();
        WebhookView webhook = webhooks.get(id);
        if (!caller.holds(IdentityClaims.SCOPE_BILLING_ADMIN)
                && (webhook.departmentId() == null || !caller.mayRead(webhook.departmentId()))) {
            throw ApiProblemException.forbidden("A key of one department manages only that department's webhooks");
        }
        return webhook;
    }

    /**
     * A subscription as its department or an administrator writes it.
     *
     * @param url where deliveries are POSTed: http or https, no credentials
     * @param eventKinds the alerts it wants
     * @param format {@code json} (the default) or {@code slack}
     * @param active false pauses it (deliveries wait); absent: as it was, or true
     * @param departmentId an administrator's choice of department (absent: every
     * department); a department's key may name only its own
     */
    record WebhookRequest(
            @NotBlank @Size(max = 2000) @Pattern(regexp = URL,
                    message = "must be an absolute http or https URL without credentials") String url,
            @NotEmpty @Size(max = 5) List<@NotNull @Pattern(regexp = KINDS,
                    message = "must be one of " + KINDS) String> eventKinds,
            @Pattern(regexp = "json|slack", message = "must be json or slack") String format,
            @Size(max = 200) String description, Boolean active, UUID departmentId) {

        WebhookTerms terms(boolean activeByDefault) {
            Set<AlertKind> kinds = EnumSet.noneOf(AlertKind.class);
            eventKinds.forEach(kind -> kinds.add(AlertKind.valueOf(kind)));
            String trimmed = description == null || description.isBlank() ? null : description.strip();
            return new WebhookTerms(url.strip(), kinds, format == null ? WebhookFormat.JSON : WebhookFormat.of(format),
                    trimmed, active == null ? activeByDefault : active);
        }
    }

    /**
     * Which subscriptions to list.
     *
     * @param department an administrator's filter; a department's key sees its own anyway
     */
    record WebhookFilter(UUID department) {
    }

    /**
     * How much of the delivery log.
     *
     * @param limit the latest deliveries to show (50; at most 200)
     */
    record DeliveryFilter(Integer limit) {
    }

    /**
     * A subscription; never its secret.
     *
     * @param departmentId null: an administrators' subscription, told of every department
     */
    record WebhookResponse(UUID id, UUID departmentId, String url, List<AlertKind> eventKinds, String format,
            String description, boolean active, String secretHint, Instant createdAt, Instant updatedAt) {

        static WebhookResponse of(WebhookView view) {
            return new WebhookResponse(view.id(), view.departmentId(), view.url(), view.eventKinds(),
                    view.format().code(), view.description(), view.active(), view.secretHint(), view.createdAt(),
                    view.updatedAt());
        }
    }

    /**
     * A new subscription and the secret that signs its deliveries, shown this once.
     */
    record CreatedResponse(WebhookResponse webhook, String secret) {
    }

    record TestResponse(UUID deliveryId) {
    }

}
