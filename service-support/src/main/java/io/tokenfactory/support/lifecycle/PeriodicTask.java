package io.tokenfactory.support.lifecycle;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link #runOnce()} on its own daemon thread at a fixed delay while the application
 * runs; started and stopped with the Spring context.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private final String threadName;

    private final Duration interval;

    private ScheduledExecutorService scheduler;

    protected PeriodicTask(String threadName, Duration interval) {
        this.threadName = threadName;
        this.interval = interval;
    }

    /** One round of work; must not throw (a thrown exception would end the schedule). */
    protected abstract void runOnce();

    /** Work to do once, on the starting thread, before the schedule begins. */
    protected void beforeFirstRun() {
    }

    @Override
    public synchronized void start() {
        beforeFirstRun();
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

}
