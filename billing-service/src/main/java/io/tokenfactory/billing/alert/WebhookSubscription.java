package io.tokenfactory.billing.alert;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.jspecify.annotations.Nullable;

/**
 * Where alerts of a department (or, without one, of every department) are sent, which
 * kinds, in which format, signed with which secret.
 */
@Entity
@Table(name = "webhook_subscription")
class WebhookSubscription {

    @Id
    private UUID id;

    @Column(name = "department_id")
    private @Nullable UUID departmentId;

    @Column(nullable = false)
    private String url;

    /** Space-separated, as {@code AlertOutbox} matches them in SQL. */
    @Column(name = "event_kinds", nullable = false)
    private String eventKinds;

    @Column(nullable = false)
    private String format;

    private @Nullable String description;

    @Column(nullable = false)
    private String secret;

    @Column(nullable = false)
    private boolean active;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private long version;

    protected WebhookSubscription() {
    }

    WebhookSubscription(@Nullable UUID departmentId, WebhookTerms terms, String secret, Instant now) {
        this.id = UUID.randomUUID();
        this.departmentId = departmentId;
        this.secret = secret;
        this.createdAt = now;
        this.url = terms.url();
        this.eventKinds = "";
        this.format = terms.format().code();
        apply(terms, now);
    }

    void apply(WebhookTerms terms, Instant now) {
        this.url = terms.url();
        this.eventKinds = terms.eventKinds().stream().map(AlertKind::name).sorted().collect(Collectors.joining(" "));
        this.format = terms.format().code();
        this.description = terms.description();
        this.active = terms.active();
        this.updatedAt = now;
    }

    UUID id() {
        return id;
    }

    boolean active() {
        return active;
    }

    WebhookView view() {
        EnumSet<AlertKind> kinds = EnumSet.noneOf(AlertKind.class);
        Arrays.stream(eventKinds.split(" "))
            .filter(kind -> !kind.isEmpty())
            .map(AlertKind::valueOf)
            .forEach(kinds::add);
        return new WebhookView(id, departmentId, url, List.copyOf(kinds), WebhookFormat.of(format), description, active,
                WebhookSecrets.hint(secret), createdAt, updatedAt);
    }

}
