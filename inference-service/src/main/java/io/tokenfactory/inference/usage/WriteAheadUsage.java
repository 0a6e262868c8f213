package io.tokenfactory.inference.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.UsageSettings;
import io.tokenfactory.inference.usage.InFlightLog.Progress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Write-ahead usage. A request is written as started before its first token leaves, and a
 * streamed token is sent only once the count that includes it is durable: whatever kills
 * this process, the request log holds at least every token a client was sent, and at most
 * the batch being written at that instant more. One writer thread carries every stream's
 * progress in one round trip, at most every {@code progress-interval} (at once for a
 * first token, or when {@code progress-tokens} wait). A heartbeat says this replica is
 * alive; requests of replicas silent for {@code orphan-after} are closed as
 * {@code INTERRUPTED} by whichever replica sees them first.
 *
 * <p>
 * Stopped after the web server (a low phase), so streams finishing in the graceful
 * shutdown still make progress; what a graceful stop leaves in flight is closed at once
 * by the other replicas (or the restarted one).
 */
@Component
public class WriteAheadUsage implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WriteAheadUsage.class);

    private static final int ORPHANS_PER_ROUND = 200;

    private final InFlightLog inFlight;

    private final UsageRecording recording;

    private final UsageSettings settings;

    private final Clock clock;

    private final Timer writes;

    private final Counter unrecordable;

    private final UUID replica = UUID.randomUUID();

    private final Object lock = new Object();

    private Map<String, Progress> waiting = new HashMap<>();

    private CompletableFuture<Void> nextWrite = new CompletableFuture<>();

    private long waitingTokens;

    private boolean urgent;

    private volatile boolean running;

    private Thread writer;

    private ScheduledExecutorService heartbeat;

    private long startedNanos;

    /** Requests of this replica whose log could not be written when they ended. */
    private final Set<String> unlogged = ConcurrentHashMap.newKeySet();

    WriteAheadUsage(InFlightLog inFlight, UsageRecording recording, InferenceProperties properties, Clock clock,
            MeterRegistry meters) {
        this.inFlight = inFlight;
        this.recording = recording;
        this.settings = properties.usage();
        this.clock = clock;
        this.writes = Timer.builder("tokenfactory.inference.usage.progress.writes")
            .description("Writes that make streamed tokens durable before they are sent")
            .publishPercentiles(0.5, 0.99)
            .register(meters);
        this.unrecordable = Counter.builder("tokenfactory.inference.usage.progress.failed")
            .description("Streams ended because their progress could not be made durable")
            .register(meters);
    }

    /**
     * Writes the request as started; throws when it cannot be written (nothing may be
     * served then).
     */
    public Served open(StartedRequest request) {
        inFlight.open(replica, request);
        return new Served(request.requestId(), System.nanoTime());
    }

    /**
     * What the client of a request in flight received, as the gateway counted it when the
     * stream was cut short; false when the request is not in flight.
     */
    public boolean received(String requestId, long completionTokens) {
        return inFlight.received(requestId, completionTokens);
    }

    /** One request being served: what its client may be sent. */
    public final class Served {

        private final String requestId;

        private final long startedNanos;

        private volatile long durable;

        private volatile long sent;

        private long timeToFirstTokenMs = -1;

        private Served(String requestId, long startedNanos) {
            this.requestId = requestId;
            this.startedNanos = startedNanos;
        }

        /**
         * Returns once {@code completionTokens} (the count after the chunks about to be
         * sent) is durable; throws {@link ProgressNotDurable} when it cannot be made so
         * within {@code progress-timeout}. Called by the one thread that writes the
         * response.
         */
        public void beforeSending(long completionTokens) {
            if (completionTokens <= durable) {
                return;
            }
            if (timeToFirstTokenMs < 0) {
                timeToFirstTokenMs = Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
            }
            long deadline = System.nanoTime() + settings.progressTimeout().toNanos();
            while (true) {
                CompletableFuture<Void> written = submit(new Progress(requestId, completionTokens, timeToFirstTokenMs),
                        completionTokens - durable, durable == 0);
                try {
                    written.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    durable = completionTokens;
                    return;
                }
                catch (ExecutionException failed) {
                    if (System.nanoTime() >= deadline) {
                        unrecordable.increment();
                        throw new ProgressNotDurable();
                    }
                }
                catch (TimeoutException e) {
                    unrecordable.increment();
                    throw new ProgressNotDurable();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProgressNotDurable();
                }
            }
        }

        /**
         * Whether chunks bringing the request to {@code completionTokens} are a batch
         * already ({@code progress-tokens} beyond what is durable): send them, do not
         * gather more.
         */
        public boolean batchFull(long completionTokens) {
            return completionTokens - durable >= settings.progressTokens();
        }

        /**
         * The chunks bringing the request to {@code completionTokens} are being written
         * to the client: from the first byte it may have them, so a stream that ends
         * early is billed for them (at most one batch more than a client that left
         * meanwhile read, never less than it read).
         */
        public void sent(long completionTokens) {
            sent = Math.max(sent, completionTokens);
        }

        /** Completion tokens written, or being written, to the client so far. */
        public long completionTokensSent() {
            return sent;
        }

        /**
         * The request is logged (its row left the in-flight table in that transaction):
         * what remains to be sent needs no more writes.
         */
        public void logged() {
            durable = Long.MAX_VALUE;
        }

        /** The request is served by another path (a fallback) or not at all. */
        public void discard() {
            inFlight.discard(requestId);
        }

    }

    /** Progress could not be made durable in time: the stream must end without more. */
    public static final class ProgressNotDurable extends RuntimeException {

        ProgressNotDurable() {
            super("the served tokens could not be recorded", null, false, false);
        }

    }

    private CompletableFuture<Void> submit(Progress progress, long newTokens, boolean first) {
        synchronized (lock) {
            waiting.merge(progress.requestId(), progress,
                    (a, b) -> a.completionTokensSent() >= b.completionTokensSent() ? a : b);
            waitingTokens += newTokens;
            urgent |= first;
            lock.notifyAll();
            return nextWrite;
        }
    }

    private void writeProgress() {
        long lastWrite = 0;
        while (running || !waiting.isEmpty()) {
            Map<String, Progress> batch;
            CompletableFuture<Void> done;
            try {
                synchronized (lock) {
                    while (waiting.isEmpty() && running) {
                        lock.wait(200);
                    }
                    long due = lastWrite + settings.progressInterval().toNanos();
                    while (!urgent && waitingTokens < settings.progressTokens() && System.nanoTime() < due && running) {
                        TimeUnit.NANOSECONDS.timedWait(lock, due - System.nanoTime());
                    }
                    if (waiting.isEmpty()) {
                        continue;
                    }
                    batch = waiting;
                    done = nextWrite;
                    waiting = new HashMap<>();
                    nextWrite = new CompletableFuture<>();
                    waitingTokens = 0;
                    urgent = false;
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            lastWrite = System.nanoTime();
            List<Progress> progress = new ArrayList<>(batch.values());
            try {
                writes.record(() -> inFlight.save(progress, clock.instant()));
                done.complete(null);
            }
            catch (RuntimeException e) {
                log.warn("Progress of {} streams could not be written: {}", progress.size(), e.toString());
                done.completeExceptionally(e);
            }
        }
    }

    /**
     * A request whose log could not be written when it ended: it is closed from its row
     * in flight, for the tokens its client had been sent, once the database answers.
     */
    void unlogged(String requestId) {
        unlogged.add(requestId);
    }

    private void beatAndCloseOrphans() {
        try {
            inFlight.beat(replica, clock.instant());
            for (String requestId : List.copyOf(unlogged)) {
                recording.closeUnlogged(replica, requestId);
                unlogged.remove(requestId);
            }
            // a gateway tells a restarted replica what the clients of cut streams
            // received
            // within a second or two of its start: only then are orphans closed
            if (System.nanoTime() - startedNanos < settings.receivedGrace().toNanos()) {
                return;
            }
            int closed;
            do {
                closed = recording.closeOrphans(replica, clock.instant().minus(settings.orphanAfter()),
                        ORPHANS_PER_ROUND);
                if (closed > 0) {
                    log.warn("Closed {} requests of a replica that stopped as INTERRUPTED, with the tokens their "
                            + "clients had been sent", closed);
                }
            }
            while (closed == ORPHANS_PER_ROUND);
            inFlight.forgetSilentReplicas(clock.instant().minus(Duration.ofDays(1)));
        }
        catch (RuntimeException e) {
            log.warn("Heartbeat or closing orphaned requests failed; will try again: {}", e.toString());
        }
    }

    @Override
    public void start() {
        startedNanos = System.nanoTime();
        running = true;
        writer = new Thread(this::writeProgress, "usage-progress");
        writer.setDaemon(true);
        writer.start();
        heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "usage-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        heartbeat.scheduleWithFixedDelay(this::beatAndCloseOrphans, 0, settings.heartbeat().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        heartbeat.shutdownNow();
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            writer.join(5_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            inFlight.leave(replica);
        }
        catch (RuntimeException e) {
            log.warn("Could not say this replica left; its requests still in flight are closed after {}",
                    settings.orphanAfter());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Below the web server's phases: stopped after its graceful shutdown. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

}
