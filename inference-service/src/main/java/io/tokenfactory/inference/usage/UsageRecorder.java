package io.tokenfactory.inference.usage;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.energy.Work;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The hand-off from serving to usage: a finished request is logged at once (its tokens
 * durable before the client's last bytes), and its usage event is published when its
 * energy is settled, off the serving threads. Keeps the per-model metrics; energy metrics
 * carry the energy source.
 */
@Component
public class UsageRecorder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

    private static final int SETTLE_ATTEMPTS = 5;

    private final UsageRecording recording;

    private final MeterRegistry meters;

    private final Map<String, Totals> totals = new ConcurrentHashMap<>();

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "usage-recorder");
        thread.setDaemon(true);
        return thread;
    });

    private final WriteAheadUsage writeAhead;

    /**
     * Looked up on first use: the listeners (routing, power caps) depend on the engines,
     * which depend on this recorder.
     */
    private final org.springframework.beans.factory.ObjectProvider<ServedRequestListener> listenerBeans;

    private volatile java.util.List<ServedRequestListener> listeners;

    UsageRecorder(UsageRecording recording, MeterRegistry meters, WriteAheadUsage writeAhead,
            org.springframework.beans.factory.ObjectProvider<ServedRequestListener> listeners) {
        this.listenerBeans = listeners;
        this.recording = recording;
        this.writeAhead = writeAhead;
        this.meters = meters;
    }

    /**
     * Logs asynchronously, then runs {@code then} with whether the log committed (off the
     * decode thread).
     */
    public void recordThen(FinishedRequest served, CompletionStage<MeasuredEnergy> energy, Consumer<Boolean> then) {
        try {
            executor.execute(() -> then.accept(record(served, energy)));
        }
        catch (RejectedExecutionException shuttingDown) {
            then.accept(record(served, energy));
        }
    }

    /**
     * A request that got no answer: gone without a trace while it held no share of its
     * node's time, otherwise recorded as {@code failed} describes it, with the energy of
     * its share.
     */
    public void recordUnlessWithdrawn(Work work, Supplier<FinishedRequest> failed) {
        if (!work.withdraw()) {
            record(failed.get(), work.finish(0));
        }
    }

    /**
     * Logs on the calling thread; false when it could not be committed (logged). The
     * usage event follows once {@code energy} completes.
     */
    public boolean record(FinishedRequest served, CompletionStage<MeasuredEnergy> energy) {
        observe(served);
        try {
            recording.logServed(served);
        }
        catch (RuntimeException e) {
            log.error(
                    "Usage of request {} ({} + {} tokens) could not be recorded; it is closed from its write-ahead "
                            + "record, for what its client was sent, once the database answers",
                    served.requestId(), served.promptTokens(), served.completionTokens(), e);
            writeAhead.unlogged(served.requestId());
            Counter.builder("tokenfactory.inference.usage.unrecorded")
                .tag("model", served.model())
                .register(meters)
                .increment();
            return false;
        }
        energy
            .whenComplete(
                    (measured, failure) -> settle(served,
                            failure == null ? measured : new MeasuredEnergy(0, 0, EnergySource.NONE,
                                    Duration.between(served.startedAt(), served.completedAt()).toMillis() / 1000.0),
                            1));
        return true;
    }

    private void settle(FinishedRequest served, MeasuredEnergy energy, int attempt) {
        try {
            executor.execute(() -> {
                try {
                    recording.settle(served.requestId(), energy).ifPresent(usage -> observeEnergy(served, energy));
                }
                catch (RuntimeException e) {
                    if (attempt >= SETTLE_ATTEMPTS) {
                        log.error(
                                "Energy of request {} could not be recorded after {} attempts; the sweep of "
                                        + "abandoned requests publishes it without energy",
                                served.requestId(), attempt, e);
                        return;
                    }
                    log.warn("Energy of request {} not recorded yet ({}); trying again", served.requestId(),
                            e.toString());
                    executor.schedule(() -> settle(served, energy, attempt + 1), 1L << attempt, TimeUnit.SECONDS);
                }
            });
        }
        catch (RejectedExecutionException shuttingDown) {
            try {
                recording.settle(served.requestId(), energy).ifPresent(usage -> observeEnergy(served, energy));
            }
            catch (RuntimeException e) {
                log.error("Energy of request {} could not be recorded at shutdown; the sweep of abandoned requests "
                        + "publishes it without energy", served.requestId(), e);
            }
        }
    }

    private void tell(java.util.function.Consumer<ServedRequestListener> event) {
        java.util.List<ServedRequestListener> told = listeners;
        if (told == null) {
            told = listenerBeans.orderedStream().toList();
            listeners = told;
        }
        for (ServedRequestListener listener : told) {
            try {
                event.accept(listener);
            }
            catch (RuntimeException e) {
                log.warn("A listener of served requests failed: {}", e.toString());
            }
        }
    }

    private void observe(FinishedRequest served) {
        tell(listener -> listener.served(served));
        String model = served.model();
        Counter.builder("tokenfactory.inference.tokens")
            .tag("model", model)
            .tag("type", "prompt")
            .description("Tokens processed")
            .register(meters)
            .increment(served.promptTokens());
        Counter.builder("tokenfactory.inference.tokens")
            .tag("model", model)
            .tag("type", "completion")
            .description("Tokens processed")
            .register(meters)
            .increment(served.completionTokens());
        Counter.builder("tokenfactory.inference.requests")
            .tag("model", model)
            .tag("outcome", served.outcome().name())
            .register(meters)
            .increment();
        if (served.timeToFirstTokenMs() >= 0 && served.completionTokens() > 0) {
            Timer.builder("tokenfactory.inference.time.to.first.token")
                .tag("model", model)
                .publishPercentiles(0.5, 0.99)
                .register(meters)
                .record(Duration.ofMillis(served.timeToFirstTokenMs()));
            double seconds = Duration.between(served.startedAt(), served.completedAt()).toNanos() / 1e9
                    - served.timeToFirstTokenMs() / 1000.0;
            if (seconds > 0 && served.completionTokens() > 1) {
                meters.summary("tokenfactory.inference.tokens.per.second", "model", model)
                    .record((served.completionTokens() - 1) / seconds);
            }
        }
    }

    private void observeEnergy(FinishedRequest served, MeasuredEnergy energy) {
        tell(listener -> listener.settled(served, energy));
        Counter.builder("tokenfactory.inference.energy")
            .tag("model", served.model())
            .tag("node", served.node())
            .tag("source", energy.source().name())
            .baseUnit("joules")
            .description("Energy attributed to requests, by where it came from")
            .register(meters)
            .increment(energy.joules());
        if (energy.source() != EnergySource.NONE) {
            Totals modelTotals = totals.computeIfAbsent(served.model() + "\u0000" + energy.source().name(),
                    key -> registerTotals(served.model(), energy.source().name()));
            modelTotals.tokens.add(served.promptTokens() + served.completionTokens());
            modelTotals.joules.add(energy.joules());
        }
    }

    private Totals registerTotals(String model, String source) {
        Totals created = new Totals(new DoubleAdder(), new DoubleAdder());
        Gauge
            .builder("tokenfactory.inference.tokens.per.joule", created,
                    t -> t.joules.sum() > 0 ? t.tokens.sum() / t.joules.sum() : Double.NaN)
            .tag("model", model)
            .tag("source", source)
            .description("Tokens per joule since start, over the requests that have an energy figure")
            .register(meters);
        return created;
    }

    private record Totals(DoubleAdder tokens, DoubleAdder joules) {
    }

    @Override
    public void destroy() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
            log.warn("Usage recorder did not finish within 20 s; the sweep of abandoned requests publishes the rest");
        }
    }

}
