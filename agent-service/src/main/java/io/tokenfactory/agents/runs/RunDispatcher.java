package io.tokenfactory.agents.runs;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.keys.AgentCredentials;
import io.tokenfactory.agents.runs.RunExecutor.RunningRun;
import io.tokenfactory.agents.runs.RunQueue.ClaimedRun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This replica's share of the work: every poll it fires due schedules and starts queued
 * runs up to its free capacity; it renews the leases of the runs it executes (and learns
 * of cancellations that way); and it supervises — orphaned runs of dead replicas,
 * transcripts past retention, keys of retired agents.
 */
@Component
class RunDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RunDispatcher.class);

    private final RunQueue queue;

    private final RunRecords records;

    private final RunExecutor executor;

    private final InferenceAvailability inference;

    private final AgentCredentials credentials;

    private final AgentProperties properties;

    private final String owner;

    private final Map<UUID, RunningRun> running = new ConcurrentHashMap<>();

    private final AtomicInteger busy = new AtomicInteger();

    private ScheduledExecutorService timers;

    private ExecutorService workers;

    private volatile boolean started;

    RunDispatcher(RunQueue queue, RunRecords records, RunExecutor executor, InferenceAvailability inference,
            AgentCredentials credentials, AgentProperties properties, MeterRegistry meters) {
        this.queue = queue;
        this.records = records;
        this.executor = executor;
        this.inference = inference;
        this.credentials = credentials;
        this.properties = properties;
        // unique per process: a restarted replica never mistakes an old lease for its own
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        Gauge.builder("tokenfactory.agents.runs.running", running, Map::size).register(meters);
    }

    /** This replica's lease owner name. */
    String owner() {
        return owner;
    }

    @Override
    public void start() {
        AgentProperties.Runs runs = properties.runs();
        workers = new ThreadPoolExecutor(runs.maxConcurrent(), runs.maxConcurrent(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), named("agent-run"));
        timers = Executors.newScheduledThreadPool(3, named("agent-dispatch"));
        long poll = runs.pollInterval().toMillis();
        long beat = Math.max(100, runs.lease().toMillis() / 3);
        long supervise = properties.supervisionInterval().toMillis();
        timers.scheduleWithFixedDelay(guarded("poll", this::poll), poll, poll, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(guarded("heartbeat", this::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(guarded("supervision", this::supervise), supervise, supervise,
                TimeUnit.MILLISECONDS);
        started = true;
        log.info("Agent runs on this replica as {} (up to {} at once)", owner, runs.maxConcurrent());
    }

    /**
     * Fires what is due, then starts queued runs while this replica has room and
     * inference answers.
     */
    void poll() {
        int batch = properties.runs().batch();
        // more due than one batch holds: fire on, but for one poll interval at most, so
        // starting runs never starves
        long firingUntil = System.nanoTime() + properties.runs().pollInterval().toNanos();
        while (queue.fireDue(batch) == batch && System.nanoTime() < firingUntil) {
            // the next batch
        }
        int free = properties.runs().maxConcurrent() - busy.get();
        while (free > 0 && inference.isOpen()) {
            List<ClaimedRun> claimed = queue.claim(Math.min(free, batch), owner);
            for (ClaimedRun run : claimed) {
                RunningRun handle = new RunningRun(run, run.startedAt().plus(properties.runs().timeout()));
                running.put(run.id(), handle);
                busy.incrementAndGet();
                workers.execute(() -> {
                    try {
                        executor.execute(handle, owner);
                    }
                    catch (RuntimeException e) {
                        // the run stays RUNNING until its lease lapses; supervision then
                        // records it as orphaned
                        log.error("Run {} could not be recorded", run.id(), e);
                    }
                    finally {
                        running.remove(run.id());
                        busy.decrementAndGet();
                    }
                });
            }
            if (claimed.size() < Math.min(free, batch)) {
                return;
            }
            free = properties.runs().maxConcurrent() - busy.get();
        }
    }

    void heartbeat() {
        List<UUID> ids = new ArrayList<>(running.keySet());
        if (ids.isEmpty()) {
            return;
        }
        Map<UUID, Boolean> held = new HashMap<>();
        records.heartbeat(ids, owner).forEach(lease -> held.put(lease.runId(), lease.cancelRequested()));
        for (UUID id : ids) {
            RunningRun run = running.get(id);
            if (run == null) {
                continue;
            }
            Boolean cancel = held.get(id);
            if (cancel == null) {
                // declared orphaned elsewhere (or just finished here): either way this
                // replica must not record it
                run.leaseLost = true;
            }
            else if (cancel) {
                run.cancelRequested = true;
            }
        }
    }

    void supervise() {
        records.reapOrphans();
        while (records.purgeTranscripts(1_000) == 1_000) {
            // a large backlog is purged in bounded transactions
        }
        credentials.revokeKeysOfRetiredAgents();
    }

    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            }
            catch (RuntimeException e) {
                log.warn("Agent {} failed (retried at the next tick): {}", what, e.toString());
            }
        };
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void stop() {
        started = false;
        try {
            if (timers != null) {
                // no new claims: a poll in progress ends first, so nothing is claimed
                // that no worker will run
                timers.shutdown();
                timers.awaitTermination(10, TimeUnit.SECONDS);
            }
            if (workers != null) {
                // runs in progress may finish; those still going after the grace are
                // cancelled (and recorded so)
                workers.shutdown();
                if (!workers.awaitTermination(15, TimeUnit.SECONDS)) {
                    workers.shutdownNow();
                    workers.awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        // stop before the web server and the data source
        return Integer.MAX_VALUE - 2048;
    }

}
