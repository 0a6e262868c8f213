package io.tokenfactory.inference.web.openai;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Consumer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.usage.CompletedInference;
import io.tokenfactory.inference.usage.UsageRecording;
import io.tokenfactory.support.security.Caller;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Records each finished request's usage (request log + outbox, one transaction) off the decode thread, then lets the
 * response finish: a client sees its last bytes only once its usage is committed. Also keeps the per-model metrics.
 */
@Component
class UsageWriter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(UsageWriter.class);

    private final UsageRecording recording;
    private final MeterRegistry meters;
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();
    private final ExecutorService executor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "usage-writer");
                thread.setDaemon(true);
                return thread;
            });

    UsageWriter(UsageRecording recording, MeterRegistry meters) {
        this.recording = recording;
        this.meters = meters;
    }

    /** What one request used, as the serving path measured it, and the verified caller it is charged to. */
    record Usage(String requestId, String model, Caller caller, UUID agentRunId, String backend, String device, long promptTokens, long completionTokens,
            UsageOutcome outcome, Instant startedAt, Instant completedAt, long timeToFirstTokenMs, double energyJoules,
            EnergySource energySource, double deviceSeconds, boolean tokensEstimated) {
    }

    /** Records asynchronously, then runs {@code then} with whether the record committed. */
    void recordThen(Usage usage, Consumer<Boolean> then) {
        try {
            executor.execute(() -> then.accept(recordNow(usage)));
        } catch (RejectedExecutionException shuttingDown) {
            then.accept(recordNow(usage));
        }
    }

    /** Records on the calling thread; false when it could not be committed (logged). */
    boolean recordNow(Usage usage) {
        observe(usage);
        try {
            recording.record(new CompletedInference(usage.requestId(), usage.caller().departmentId(),
                    usage.caller().keyId(), usage.caller().agentId(), usage.agentRunId(), usage.model(), usage.backend(),
                    usage.device(), usage.promptTokens(), usage.completionTokens(), usage.outcome(), usage.startedAt(),
                    usage.completedAt(), Math.max(0, usage.timeToFirstTokenMs()), usage.energyJoules(),
                    usage.energySource(), usage.deviceSeconds(), usage.tokensEstimated()));
            return true;
        } catch (RuntimeException e) {
            log.error("Usage of request {} ({} + {} tokens) could not be recorded", usage.requestId(),
                    usage.promptTokens(), usage.completionTokens(), e);
            Counter.builder("tokenfactory.inference.usage.unrecorded").tag("model", usage.model())
                    .register(meters).increment();
            return false;
        }
    }

    private void observe(Usage usage) {
        String model = usage.model();
        Totals modelTotals = totals.computeIfAbsent(model, this::registerTotals);
        modelTotals.tokens.add(usage.promptTokens() + usage.completionTokens());
        modelTotals.joules.add(usage.energyJoules());
        Counter.builder("tokenfactory.inference.tokens").tag("model", model).tag("type", "prompt")
                .description("Tokens processed").register(meters).increment(usage.promptTokens());
        Counter.builder("tokenfactory.inference.tokens").tag("model", model).tag("type", "completion")
                .description("Tokens processed").register(meters).increment(usage.completionTokens());
        Counter.builder("tokenfactory.inference.energy").tag("model", model).baseUnit("joules")
                .description("Energy attributed to requests").register(meters).increment(usage.energyJoules());
        Counter.builder("tokenfactory.inference.requests").tag("model", model).tag("outcome", usage.outcome().name())
                .register(meters).increment();
        if (usage.timeToFirstTokenMs() >= 0 && usage.completionTokens() > 0) {
            Timer.builder("tokenfactory.inference.time.to.first.token").tag("model", model).publishPercentiles(0.5, 0.99)
                    .register(meters).record(Duration.ofMillis(usage.timeToFirstTokenMs()));
            double seconds = Duration.between(usage.startedAt(), usage.completedAt()).toNanos() / 1e9
                    - usage.timeToFirstTokenMs() / 1000.0;
            if (seconds > 0 && usage.completionTokens() > 1) {
                meters.summary("tokenfactory.inference.tokens.per.second", "model", model)
                        .record((usage.completionTokens() - 1) / seconds);
            }
        }
    }

    private Totals registerTotals(String model) {
        Totals created = new Totals(new DoubleAdder(), new DoubleAdder());
        Gauge.builder("tokenfactory.inference.tokens.per.joule", created,
                t -> t.joules.sum() > 0 ? t.tokens.sum() / t.joules.sum() : 0).tag("model", model)
                .description("Tokens served per joule of attributed energy since start").register(meters);
        return created;
    }

    private record Totals(DoubleAdder tokens, DoubleAdder joules) {
    }

    @Override
    public void destroy() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
            log.warn("Usage writer did not finish within 20 s");
        }
    }
}
