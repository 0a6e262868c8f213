package io.tokenfactory.inference.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import tools.jackson.databind.json.JsonMapper;

/**
 * A server-sent-event response fed from another thread: producers only enqueue (the
 * decode loop never waits on a slow client); a servlet async thread writes and flushes
 * each event. A failed write means the client left, and {@code onDisconnect} runs at
 * once.
 */
final class EventStream {

    /**
     * OpenAI's servers name the charset; clients that assume ISO-8859-1 otherwise garble
     * non-ASCII text.
     */
    static final MediaType EVENT_STREAM = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);

    private static final String END = "\u0000end";

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    private final JsonMapper json;

    EventStream(JsonMapper json) {
        this.json = json;
    }

    void send(Object payload) {
        events.add("data: " + json.writeValueAsString(payload) + "\n\n");
    }

    void sendRaw(String data) {
        events.add("data: " + data + "\n\n");
    }

    /**
     * The {@code [DONE]} sentinel OpenAI clients wait for, then the end of the response.
     */
    void done() {
        events.add("data: [DONE]\n\n");
        events.add(END);
    }

    /** Ends the response without {@code [DONE]}: the client sees a truncated stream. */
    void close() {
        events.add(END);
    }

    ResponseEntity<StreamingResponseBody> response(Duration timeout, Runnable onDisconnect) {
        StreamingResponseBody body = out -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String event;
                try {
                    event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    onDisconnect.run();
                    return;
                }
                if (event == null) {
                    onDisconnect.run();
                    return;
                }
                if (END.equals(event)) {
                    return;
                }
                try {
                    out.write(event.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                catch (IOException clientLeft) {
                    onDisconnect.run();
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

}
