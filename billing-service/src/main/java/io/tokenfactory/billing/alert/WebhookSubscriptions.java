package io.tokenfactory.billing.alert;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates, reads, changes and deletes webhook subscriptions, sends test deliveries and
 * reads their delivery log. Who may do which is the controller's decision; this knows
 * only subscriptions.
 */
@Service
public class WebhookSubscriptions {

    private final WebhookSubscriptionRepository subscriptions;

    private final DepartmentCatalog departments;

    private final AlertOutbox outbox;

    private final WebhookDeliveries deliveries;

    private final Clock clock;

    private final AuditTrail audit;

    WebhookSubscriptions(WebhookSubscriptionRepository subscriptions, DepartmentCatalog departments, AlertOutbox outbox,
            WebhookDeliveries deliveries, Clock clock, AuditTrail audit) {
        this.subscriptions = subscriptions;
        this.departments = departments;
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.clock = clock;
        this.audit = audit;
    }

    /**
     * A new subscription with its secret, shown this once.
     * @param department null: an administrators' subscription, told of every department
     */
    @Transactional
    public CreatedWebhook create(@Nullable UUID department, WebhookTerms terms) {
        checkTarget(terms.url());
        if (department != null && departments.lookup(department).isEmpty()) {
            throw ApiProblemException.unprocessable("unknown_department", "No department with id " + department);
        }
        String secret = WebhookSecrets.generate();
        try {
            WebhookSubscription created = subscriptions
                .saveAndFlush(new WebhookSubscription(department, terms, secret, clock.instant()));
            audit.record("webhook.created", "webhook", created.view().id(), department, null, audited(created.view()));
            return new CreatedWebhook(created.view(), secret);
        }
        catch (DataIntegrityViolationException duplicate) {
            throw exists(terms.url());
        }
    }

    /** Every subscription (department null), or one department's. */
    @Transactional(readOnly = true)
    public List<WebhookView> list(@Nullable UUID department) {
        return (department == null ? subscriptions.findAllByOrderByCreatedAtAsc()
                : subscriptions.findByDepartmentIdOrderByCreatedAtAsc(department))
            .stream()
            .map(WebhookSubscription::view)
            .toList();
    }

    @Transactional(readOnly = true)
    public WebhookView get(UUID id) {
        return find(id).view();
    }

    @Transactional
    public WebhookView update(UUID id, WebhookTerms terms) {
        checkTarget(terms.url());
        WebhookSubscription subscription = find(id);
        WebhookView before = subscription.view();
        subscription.apply(terms, clock.instant());
        try {
            WebhookView after = subscriptions.saveAndFlush(subscription).view();
            audit.record("webhook.updated", "webhook", id, after.departmentId(), audited(before), audited(after));
            return after;
        }
        catch (DataIntegrityViolationException duplicate) {
            throw exists(terms.url());
        }
    }

    /**
     * A subscription as the audit trail records it: its URL cut to scheme, host and port,
     * since a URL's path can be a secret of its own (a Slack incoming webhook's is).
     */
    private static WebhookView audited(WebhookView webhook) {
        URI url = URI.create(webhook.url());
        String origin = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/…";
        return new WebhookView(webhook.id(), webhook.departmentId(), origin, webhook.eventKinds(), webhook.format(),
                webhook.description(), webhook.active(), webhook.secretHint(), webhook.createdAt(),
                webhook.updatedAt());
    }

    /** Deletes the subscription with its deliveries and their log. */
    @Transactional
    public void delete(UUID id) {
        WebhookSubscription subscription = find(id);
        // its deliveries locked first, in one order: the dispatcher skips locked rows, so
        // the cascade below never waits on a sender (which would deadlock)
        deliveries.lockAll(id);
        audit.record("webhook.deleted", "webhook", id, subscription.view().departmentId(), audited(subscription.view()),
                null);
        subscriptions.delete(subscription);
    }

    /**
     * Queues a test delivery ({@code PING}) through the same outbox, signature and
     * retries as any alert; returns its id, to find it in the log.
     */
    @Transactional
    public UUID ping(UUID id) {
        WebhookSubscription subscription = find(id);
        if (!subscription.active()) {
            throw ApiProblemException.conflict("webhook_inactive",
                    "Webhook " + id + " is inactive: activate it to send it a test delivery");
        }
        return outbox.toSubscription(id, subscription.view().format(), AlertText.ping(id, clock.instant()));
    }

    /** The latest deliveries (newest first), each with every attempt. */
    @Transactional(readOnly = true)
    public List<DeliveryView> deliveries(UUID id, int limit) {
        find(id);
        return deliveries.log(id, limit);
    }

    private WebhookSubscription find(UUID id) {
        return subscriptions.findById(id)
            .orElseThrow(() -> ApiProblemException.notFound("webhook_not_found", "No webhook with id " + id));
    }

    /** The request's own validation checks the shape; this that Java can call it. */
    private static void checkTarget(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("no host, or credentials in the URL");
            }
            uri.toURL();
        }
        catch (Exception e) {
            throw new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_url", "Invalid URL",
                    "The webhook URL must be an absolute http or https URL without credentials: " + url);
        }
    }

    private static ApiProblemException exists(String url) {
        return ApiProblemException.conflict("webhook_exists", "A webhook to " + url + " exists already for this "
                + "department (or for administrators); change that one");
    }

}
