package io.tokenfactory.support.events;

import java.time.Duration;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.messaging.converter.MessageConversionException;

/**
 * How consumers retry: transient failures (database briefly away, lock timeout) are retried with back-off;
 * a {@link RejectedEventException} or an unreadable payload is never retried and goes straight to the
 * dead-letter queue. Register the template as a {@code @StreamRetryTemplate} bean and name it in the binding's
 * {@code retry-template-name}.
 */
public final class ConsumerRetry {

    private ConsumerRetry() {
    }

    public static RetryTemplate retryTransientFailures(long maxRetries, Duration firstDelay) {
        return new RetryTemplate(RetryPolicy.builder()
                .maxRetries(maxRetries)
                .delay(firstDelay)
                .multiplier(2)
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
