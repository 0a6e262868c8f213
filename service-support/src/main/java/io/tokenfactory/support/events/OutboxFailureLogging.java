package io.tokenfactory.support.events;

import java.lang.reflect.Method;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.scheduling.annotation.AsyncConfigurer;

/**
 * An event the broker did not take is an expected, recoverable condition (it is sent
 * again), so it is logged as one warning line, not as an error with a stack trace;
 * anything else thrown by an async method stays an error.
 */
public class OutboxFailureLogging implements AsyncConfigurer, AsyncUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(OutboxFailureLogging.class);

    @Override
    public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
        return this;
    }

    @Override
    public void handleUncaughtException(Throwable failure, Method method, Object... params) {
        if (failure instanceof BrokerOutboxRelay.EventNotPublishedException) {
            log.warn("{}; it stays in the outbox and will be sent again", failure.getMessage());
        }
        else {
            log.error("Unexpected exception in async method {}", method, failure);
        }
    }

}
