package io.tokenfactory.support.events;

import java.time.Duration;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.messaging.converter.MessageConversionException;

/**
 * How consumers retry: transient failures (database away, lock timeout) are retried with
 * back-off until they succeed, so a valid event is never parked in the dead-letter queue
 * for an outage; a {@link RejectedEventException} or an unreadable payload is never
 * retried and goes straight to the dead-letter queue. Register the template as a
 * {@code @StreamRetryTemplate} bean and name it in the binding's
 * {@code retry-template-name}.
 */
public final class ConsumerRetry {

    private ConsumerRetry() {
    }

    public static RetryTemplate retryTransientFailures(Duration firstDelay, Duration maxDelay) {
        return new RetryTemplate(RetryPolicy.builder()
            .maxRetries(Long.MAX_VALUE)
            .delay(firstDelay)
            .multiplier(2)
            .maxDelay(maxDelay)
            .predicate(ConsumerRetry::isTransient)
            .build());
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RejectedEventException || cause instanceof MessageConversionException) {
                return false;
            }
        }
        return true;
    }

}
