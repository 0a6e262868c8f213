package io.tokenfactory.gateway.limits;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@code usage} of an OpenAI-style response as it passes, without holding it
 * back: chunks go to the client as they come; a copy of a plain JSON body (up to a cap)
 * or of each server-sent event line is inspected.
 */
final class UsageTap extends ServerHttpResponseDecorator {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int MAX_INSPECTED_BYTES = 1 << 20;

    private final StringBuilder pending = new StringBuilder();

    private volatile long totalTokens = -1;

    UsageTap(ServerHttpResponse delegate) {
        super(delegate);
    }

    /** The total tokens the response reported, if it reported any. */
    OptionalLong totalTokens() {
        synchronized (pending) {
            inspect(pending.toString(), true);
            pending.setLength(0);
        }
        return totalTokens < 0 ? OptionalLong.empty() : OptionalLong.of(totalTokens);
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return super.writeWith(Flux.from(body).doOnNext(this::copy));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).map(chunk -> Flux.from(chunk).doOnNext(this::copy)));
    }

    private void copy(DataBuffer buffer) {
        synchronized (pending) {
            // only what is still pending counts: a long stream is inspected line by line
            // to its last event
            if (pending.length() > MAX_INSPECTED_BYTES) {
                return;
            }
            int length = buffer.readableByteCount();
            pending.append(buffer.toString(buffer.readPosition(), length, StandardCharsets.UTF_8));
            // server-sent events: inspect each complete line as it arrives, keep the
            // unfinished rest
            int lastNewline = pending.lastIndexOf("\n");
            if (lastNewline >= 0 && pending.indexOf("data:") >= 0) {
                inspect(pending.substring(0, lastNewline), false);
                pending.delete(0, lastNewline + 1);
            }
        }
    }

    private void inspect(String text, boolean complete) {
        if (text.isEmpty() || !text.contains("\"usage\"")) {
            return;
        }
        if (text.contains("data:")) {
            for (String line : text.split("\n")) {
                String trimmed = line.trim();
                if (trimmed.startsWith("data:") && trimmed.contains("\"usage\"")) {
                    readUsage(trimmed.substring("data:".length()).trim());
                }
            }
        }
        else if (complete) {
            readUsage(text);
        }
    }

    private void readUsage(String json) {
        try {
            JsonNode usage = JSON.readTree(json).get("usage");
            if (usage != null && usage.isObject()) {
                long total = usage.has("total_tokens") ? usage.get("total_tokens").asLong()
                        : usage.path("prompt_tokens").asLong(0) + usage.path("completion_tokens").asLong(0);
                totalTokens = total;
            }
        }
        catch (JacksonException notJson) {
            // not a usage record after all
        }
    }

}
