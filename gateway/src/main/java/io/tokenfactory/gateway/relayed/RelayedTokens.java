package io.tokenfactory.gateway.relayed;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.jdbc.BatchStatement;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The client-visible count: the prompt and completion tokens of every inference response
 * this gateway relayed, per department (the key's), model (the one asked for) and the
 * hour the response ended in — the rule inference-service counts its requests by. Counted
 * in memory on the hot path; added to {@code relayed_usage} every
 * {@code relayed-usage.flush-interval} and once more when the gateway stops gracefully,
 * after its last in-flight response ended. A SIGKILL loses what was counted since the
 * last flush and the responses still in flight.
 */
@Component
public class RelayedTokens extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(RelayedTokens.class);

    private static final int MAX_MODEL_LENGTH = 200;

    private final RelayedTotals totals = new RelayedTotals();

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final MeterRegistry meters;

    /** Per model: prompt and completion counters, registered once. */
    private final Map<String, Counter[]> tokenCounters = new ConcurrentHashMap<>();

    private final Function<String, Counter[]> newTokenCounters = this::tokenCounters;

    private final Counter countedByUsage;

    private final Counter countedByChunks;

    private final Counter failedFlushes;

    private final Object flushing = new Object();

    private final @Nullable InferenceReceivedClient inference;

    RelayedTokens(JdbcTemplate jdbc, Clock clock, MeterRegistry meters, GatewayProperties properties,
            @Nullable InferenceReceivedClient inference) {
        super("relayed-usage-flush", properties.relayedUsage().flushInterval());
        this.inference = inference;
        this.jdbc = jdbc;
        this.clock = clock;
        this.meters = meters;
        this.countedByUsage = requests("usage");
        this.countedByChunks = requests("chunks");
        this.failedFlushes = Counter.builder("tokenfactory.gateway.relayed.flush.failures")
            .description("Flushes of relayed usage that could not be written; retried at the next one")
            .register(meters);
    }

    /**
     * What one response relayed, once it has ended (completed, broken or left by its
     * client). Nothing for a response that carried no token or a key without a department
     * (inference refuses those).
     */
    public void record(@Nullable UUID department, @Nullable String model, UsageTap tap) {
        long prompt = tap.relayedPromptTokens();
        long completion = tap.relayedCompletionTokens();
        // a stream cut short whose chunks carried the usage so far: its client's exact
        // count bounds what it is billed (a count of chunks is no token count)
        if (inference != null && !tap.countedByChunks()) {
            tap.cutStream().ifPresent(requestId -> inference.report(requestId, completion));
        }
        if (department == null || (prompt == 0 && completion == 0)) {
            return;
        }
        String name = model == null || model.isBlank() ? "unknown"
                : model.length() > MAX_MODEL_LENGTH ? model.substring(0, MAX_MODEL_LENGTH) : model;
        boolean byChunks = tap.countedByChunks();
        totals.add(clock.millis(), department, name, prompt, completion, byChunks);
        Counter[] counters = tokenCounters.computeIfAbsent(name, newTokenCounters);
        counters[0].increment(prompt);
        counters[1].increment(completion);
        (byChunks ? countedByChunks : countedByUsage).increment();
    }

    @Override
    protected void runOnce() {
        try {
            flush();
        }
        catch (RuntimeException e) {
            log.warn("Could not flush relayed usage", e);
        }
    }

    /**
     * Adds what accumulated to the table; what cannot be written waits for the next
     * flush. Replicas add to the same rows, each in key order, so they never deadlock.
     */
    void flush() {
        synchronized (flushing) {
            List<RelayedTotals.Row> rows = totals.drain();
            if (!rows.isEmpty()) {
                try {
                    write(rows);
                }
                catch (RuntimeException e) {
                    totals.restore(rows);
                    failedFlushes.increment();
                    log.warn("Could not write relayed usage ({} rows), kept for the next flush: {}", rows.size(),
                            e.toString());
                }
            }
            totals.prune(clock.millis());
        }
    }

    private void write(List<RelayedTotals.Row> rows) {
        BatchStatement.of(rows)
            .timestamp(RelayedTotals.Row::hour)
            .uuid(RelayedTotals.Row::department)
            .text(RelayedTotals.Row::model)
            .int8(RelayedTotals.Row::requests)
            .int8(RelayedTotals.Row::promptTokens)
            .int8(RelayedTotals.Row::completionTokens)
            .int8(RelayedTotals.Row::chunkCountedRequests)
            .update(jdbc, """
                    INSERT INTO relayed_usage AS r (hour_start, department_id, model, requests, prompt_tokens,
                        completion_tokens, chunk_counted_requests)
                    SELECT hour_start, department_id, model, requests, prompt_tokens, completion_tokens,
                        chunk_counted_requests
                    FROM unnest(?, ?, ?, ?, ?, ?, ?) WITH ORDINALITY AS u(hour_start, department_id, model, requests,
                        prompt_tokens, completion_tokens, chunk_counted_requests, position)
                    ORDER BY position
                    ON CONFLICT (hour_start, department_id, model) DO UPDATE SET
                        requests = r.requests + excluded.requests,
                        prompt_tokens = r.prompt_tokens + excluded.prompt_tokens,
                        completion_tokens = r.completion_tokens + excluded.completion_tokens,
                        chunk_counted_requests = r.chunk_counted_requests + excluded.chunk_counted_requests""");
    }

    /**
     * The schedule ends, then the last flush: after the web server, which waits for the
     * responses in flight, has stopped.
     */
    @Override
    public void stop() {
        super.stop();
        flush();
    }

    @Override
    public int getPhase() {
        return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1024;
    }

    private Counter[] tokenCounters(String model) {
        return new Counter[] { tokens("prompt", model), tokens("completion", model) };
    }

    private Counter tokens(String type, String model) {
        return Counter.builder("tokenfactory.gateway.relayed.tokens")
            .description("Tokens relayed to clients, as their responses reported them or counted by chunks")
            .tag("type", type)
            .tag("model", model)
            .register(meters);
    }

    private Counter requests(String countedBy) {
        return Counter.builder("tokenfactory.gateway.relayed.requests")
            .description("Inference responses relayed with tokens, by how their tokens were known")
            .tag("counted", countedBy)
            .register(meters);
    }

}
