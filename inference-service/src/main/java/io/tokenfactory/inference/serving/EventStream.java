package io.tokenfactory.inference.serving;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletResponse;

import io.tokenfactory.inference.usage.WriteAheadUsage;
import io.tokenfactory.inference.usage.WriteAheadUsage.ProgressNotDurable;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import tools.jackson.databind.json.JsonMapper;

/**
 * A server-sent-event response fed from another thread: producers only enqueue (the
 * decode loop never waits on a slow client); a servlet async thread writes and flushes
 * the events. It takes every event waiting at once, and sends them only after the
 * request's completion tokens up to the last of them are durable (write-ahead usage):
 * while one batch is being made durable the next gathers. A failed write means the client
 * left, and {@code onDisconnect} runs at once; so does progress that cannot be made
 * durable, after an error event.
 */
final class EventStream {

    /**
     * OpenAI's servers name the charset; clients that assume ISO-8859-1 otherwise garble
     * non-ASCII text.
     */
    static final MediaType EVENT_STREAM = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);

    /**
     * @param completionTokens the request's tokens once this event is sent; -1: none
     */
    private record Event(String data, long completionTokens) {
    }

    private static final Event END = new Event("", -1);

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private final JsonMapper json;

    private final WriteAheadUsage.Served served;

    EventStream(JsonMapper json, WriteAheadUsage.Served served) {
        this.json = json;
        this.served = served;
    }

    void send(Object payload) {
        events.add(new Event("data: " + json.writeValueAsString(payload) + "\n\n", -1));
    }

    /**
     * An event that brings the request's completion tokens to {@code completionTokens}.
     */
    void sendTokens(Object payload, long completionTokens) {
        events.add(new Event("data: " + json.writeValueAsString(payload) + "\n\n", completionTokens));
    }

    /**
     * The {@code [DONE]} sentinel OpenAI clients wait for, then the end of the response.
     */
    void done() {
        events.add(new Event("data: [DONE]\n\n", -1));
        events.add(END);
    }

    /** Ends the response without {@code [DONE]}: the client sees a truncated stream. */
    void close() {
        events.add(END);
    }

    ResponseEntity<StreamingResponseBody> response(Duration timeout, Runnable onDisconnect) {
        HttpServletResponse response = currentResponse();
        StreamingResponseBody body = stream -> {
            OutputStream out = flushing(stream, response);
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Event> batch = new ArrayList<>();
            while (true) {
                Event first;
                try {
                    first = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    onDisconnect.run();
                    return;
                }
                if (first == null) {
                    onDisconnect.run();
                    return;
                }
                batch.clear();
                batch.add(first);
                events.drainTo(batch);
                long tokens = batch.stream().mapToLong(Event::completionTokens).max().orElse(-1);
                try {
                    served.beforeSending(tokens);
                }
                catch (ProgressNotDurable unrecorded) {
                    write(out, "data: " + json.writeValueAsString(OpenAiException.usageUnrecorded().toBody()) + "\n\n");
                    onDisconnect.run();
                    return;
                }
                // one write for the batch: between the commit of its count and the chunks
                // leaving there is no other step a crash could fall into
                StringBuilder chunks = new StringBuilder();
                long sending = -1;
                boolean ended = false;
                for (Event event : batch) {
                    if (event == END) {
                        ended = true;
                        break;
                    }
                    chunks.append(event.data());
                    sending = Math.max(sending, event.completionTokens());
                }
                // counted as sent before the write, which the client may read from its
                // first byte; a cancellation on another thread reads this count any time
                served.sent(sending);
                if (!chunks.isEmpty() && !write(out, chunks.toString())) {
                    onDisconnect.run();
                    return;
                }
                if (ended) {
                    return;
                }
            }
        };
        return ResponseEntity.ok()
            .contentType(EVENT_STREAM)
            .cacheControl(CacheControl.noCache())
            .header("X-Accel-Buffering", "no")
            .body(body);
    }

    /** The response being written, when serving runs on a servlet request's thread. */
    static HttpServletResponse currentResponse() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? attributes.getResponse() : null;
    }

    /**
     * The stream a relay writes to, whose flush reaches the client: Spring hands a
     * {@code StreamingResponseBody} a stream whose own flush does nothing, so without
     * this a streamed token would wait until the servlet container's buffer (8 KB)
     * filled.
     */
    static OutputStream flushing(OutputStream body, HttpServletResponse response) {
        if (response == null) {
            return body;
        }
        return new FilterOutputStream(body) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
                response.flushBuffer();
            }
        };
    }

    static boolean write(OutputStream out, String event) {
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        }
        catch (IOException clientLeft) {
            return false;
        }
    }

}
