package io.tokenfactory.support.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.jspecify.annotations.Nullable;

/**
 * A request's trace beyond its HTTP calls. A usage event is sent long after the request
 * (after commit, from the outbox, perhaps by another replica), so it carries the
 * request's W3C {@code traceparent}; its consumer continues that trace with a span of its
 * own. Without tracing (no tracer, or a no-op one) every method does nothing.
 */
public final class Traces {

    /** The OpenTelemetry GenAI attribute for the model a request named. */
    public static final String MODEL = "gen_ai.request.model";

    /** The department a request is charged to (its id, never its key). */
    public static final String DEPARTMENT = "tokenfactory.department.id";

    /** The request's id in the request log and its usage. */
    public static final String REQUEST = "tokenfactory.request.id";

    public static final String INPUT_TOKENS = "gen_ai.usage.input_tokens";

    public static final String OUTPUT_TOKENS = "gen_ai.usage.output_tokens";

    private static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;

    private final Propagator propagator;

    public Traces(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Neither records nor propagates. */
    public static Traces none() {
        return new Traces(Tracer.NOOP, Propagator.NOOP);
    }

    /** The current span's {@code traceparent}; null where no span is current. */
    public @Nullable String currentTraceparent() {
        Span current = tracer.currentSpan();
        return current == null ? null : traceparentOf(current);
    }

    /** Names an attribute of the current span, if there is one. */
    public void tagCurrent(String key, @Nullable Object value) {
        Span current = tracer.currentSpan();
        if (current != null && value != null) {
            current.tag(key, value.toString());
        }
    }

    /**
     * A started span continuing the trace of {@code traceparent}; a no-op span when there
     * is none (an event from before traces, or an unparseable one). End it.
     */
    public Span continued(@Nullable String traceparent, String name) {
        return continued(traceparent, name, -1);
    }

    /**
     * The same, begun at {@code startedMicros} (epoch microseconds) when not negative.
     */
    public Span continued(@Nullable String traceparent, String name, long startedMicros) {
        if (traceparent == null || traceparent.isBlank()) {
            return Span.NOOP;
        }
        Span.Builder span = propagator.extract(Map.of(TRACEPARENT, traceparent), Map::get)
            .name(name)
            .kind(Span.Kind.CONSUMER);
        if (startedMicros >= 0) {
            span.startTimestamp(startedMicros, TimeUnit.MICROSECONDS);
        }
        return span.start();
    }

    /**
     * The {@code traceparent} a message about this span's work carries (sampled or not);
     * null for no span.
     */
    public @Nullable String traceparentOf(Span span) {
        // an unsampled span records nothing but still has a trace id worth passing on
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(span.context(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

}
