package io.tokenfactory.billing.alert;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends due deliveries every {@code poll-interval} on a bounded pool of senders
 * ({@code max-concurrent-deliveries}), signed with their subscription's secret. A 2xx
 * answer delivers; anything else — another status, a refused connection, no answer in
 * time — is tried again on the retry schedule, then given up as FAILED. The call is made
 * outside any transaction: no database connection waits on a receiver.
 */
@Component
class WebhookDispatcher extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    static final String SIGNATURE = "X-TokenFactory-Signature";

    static final String TIMESTAMP = "X-TokenFactory-Timestamp";

    static final String EVENT = "X-TokenFactory-Event";

    static final String DELIVERY = "X-TokenFactory-Delivery";

    private final WebhookDeliveries deliveries;

    private final WebhookClient client;

    private final Clock clock;

    private final RetrySchedule schedule;

    private final int senders;

    /** Longer than any attempt can take: connect + read timeout, and a margin. */
    private final Duration lease;

    private final Duration retention;

    private final MeterRegistry meters;

    private final Set<UUID> busySubscriptions = ConcurrentHashMap.newKeySet();

    private final AtomicInteger inFlight = new AtomicInteger();

    private volatile ExecutorService pool;

    private Instant nextPurge = Instant.MIN;

    WebhookDispatcher(WebhookDeliveries deliveries, WebhookClient client, BillingProperties properties, Clock clock,
            MeterRegistry meters) {
        super("webhook-dispatcher", properties.webhooks().pollInterval());
        BillingProperties.Webhooks settings = properties.webhooks();
        this.deliveries = deliveries;
        this.client = client;
        this.clock = clock;
        this.schedule = new RetrySchedule(settings.retryDelays(), settings.maxAttempts());
        this.senders = settings.maxConcurrentDeliveries();
        this.lease = settings.connectTimeout().plus(settings.readTimeout()).plusSeconds(30);
        this.retention = settings.deliveryRetention();
        this.meters = meters;
        this.pool = senderPool();
    }

    @Override
    protected void beforeFirstRun() {
        if (pool.isShutdown()) {
            pool = senderPool();
        }
    }

    private ExecutorService senderPool() {
        AtomicInteger number = new AtomicInteger();
        return Executors.newFixedThreadPool(senders, runnable -> {
            Thread thread = new Thread(runnable, "webhook-sender-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public synchronized void stop() {
        super.stop();
        pool.shutdownNow();
    }

    @Override
    protected void runOnce() {
        try {
            dispatch();
            Instant now = clock.instant();
            if (now.isAfter(nextPurge)) {
                nextPurge = now.plus(Duration.ofHours(1));
                deliveries.purge(now.minus(retention));
            }
        }
        catch (RuntimeException e) {
            log.warn("Dispatching webhook deliveries failed; will try again: {}", e.getMessage());
        }
    }

    /** Claims as many due deliveries as there are free senders, and starts them. */
    void dispatch() {
        int free = senders - inFlight.get();
        if (free <= 0) {
            return;
        }
        List<WebhookDeliveries.Due> due = deliveries.claim(free, Set.copyOf(busySubscriptions), clock.instant(), lease);
        for (WebhookDeliveries.Due delivery : due) {
            busySubscriptions.add(delivery.subscription());
            inFlight.incrementAndGet();
            pool.execute(() -> send(delivery));
        }
    }

    private void send(WebhookDeliveries.Due delivery) {
        try {
            Instant started = clock.instant();
            long timestamp = started.getEpochSecond();
            WebhookClient.Outcome outcome = client.post(URI.create(delivery.url()), delivery.body(),
                    Map.of(EVENT, delivery.kind(), DELIVERY, delivery.id().toString(), TIMESTAMP,
                            Long.toString(timestamp), SIGNATURE,
                            WebhookSecrets.signature(delivery.secret(), timestamp, delivery.body())));
            Timer.builder("tokenfactory.billing.webhook.attempts")
                .description("Attempts to deliver an alert to a webhook, by the receiver's answer")
                .tag("result", result(outcome))
                .register(meters)
                .record(outcome.took());
            Optional<String> status = deliveries.record(delivery, started, outcome, schedule, clock.instant());
            status.filter(s -> !s.equals("PENDING"))
                .ifPresent(s -> meters
                    .counter("tokenfactory.billing.webhook.deliveries", "outcome", s.toLowerCase(Locale.ROOT))
                    .increment());
            if (status.filter("FAILED"::equals).isPresent()) {
                log.warn("Webhook delivery {} to subscription {} failed for good: {}", delivery.id(),
                        delivery.subscription(),
                        outcome.error() != null ? outcome.error() : "HTTP " + outcome.status());
            }
        }
        catch (RuntimeException e) {
            // the lease runs out and the delivery is tried again
            log.warn("Recording webhook delivery {} failed: {}", delivery.id(), e.getMessage());
        }
        finally {
            busySubscriptions.remove(delivery.subscription());
            inFlight.decrementAndGet();
        }
    }

    private static String result(WebhookClient.Outcome outcome) {
        Integer status = outcome.status();
        return status == null ? "no_answer" : (status / 100) + "xx";
    }

}
