package io.tokenfactory.gateway.relayed;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads what an OpenAI-style response says of its tokens while it is written to the
 * client, without holding it back: the {@code usage} of a plain JSON body (up to a cap),
 * of a stream's final usage chunk or of every chunk (cumulative, as vLLM's
 * {@code continuous_usage_stats} sends it), and how many of a stream's chunks carried
 * content. It sits in the write path, so a chunk counts when it is handed to the client's
 * connection: a stream the upstream broke or the client left counts what went out.
 *
 * <p>
 * Cheap on purpose: a copy of each buffer as text (as the token limits always needed),
 * scanned in place line by line; no JSON tree, no per-line strings.
 */
public final class UsageTap extends ServerHttpResponseDecorator {

    private static final int MAX_PENDING_CHARS = 1 << 20;

    private static final int UNKNOWN = 0;

    private static final int EVENT_STREAM = 1;

    private static final int WHOLE_BODY = 2;

    private final StringBuilder pending = new StringBuilder();

    private int shape = UNKNOWN;

    /** A whole body or one stream line was larger than the cap: no longer inspected. */
    private boolean overflowed;

    private boolean finished;

    /** The latest usage seen; -1 where it named no such figure. */
    private long promptTokens = -1;

    private long completionTokens = -1;

    private long totalTokens = -1;

    private boolean usageSeen;

    private long contentChunks;

    /** The id of a stream's chunks (the request id inference records it under). */
    private @Nullable String requestId;

    /** A stream's {@code [DONE]} went out. */
    private boolean done;

    public UsageTap(ServerHttpResponse delegate) {
        super(delegate);
    }

    /**
     * The total tokens the response reported, if it reported any (what the token limits
     * settle to).
     */
    public OptionalLong totalTokens() {
        synchronized (pending) {
            finish();
            return usageSeen ? OptionalLong.of(totalTokens) : OptionalLong.empty();
        }
    }

    /**
     * What the tokens the client received were, for settling a budget: the usage the
     * response reported; without one, the content chunks that went out as completion
     * tokens and no prompt figure (-1).
     */
    public Relayed relayed() {
        synchronized (pending) {
            finish();
            return new Relayed(usageSeen ? Math.max(0, promptTokens) : -1, relayedCompletionTokens());
        }
    }

    /**
     * @param promptTokens -1 when the response reported no usage
     */
    public record Relayed(long promptTokens, long completionTokens) {
    }

    /** Prompt tokens relayed: the latest usage's, 0 when none went out. */
    long relayedPromptTokens() {
        synchronized (pending) {
            finish();
            return usageSeen ? Math.max(0, promptTokens) : 0;
        }
    }

    /**
     * Completion tokens relayed: the latest usage's; without one, the content chunks that
     * went out — one token each as our engines send them, fewer where one chunk carries a
     * whole multi-byte character or text held back for a stop sequence.
     */
    long relayedCompletionTokens() {
        synchronized (pending) {
            finish();
            if (!usageSeen) {
                return contentChunks;
            }
            if (completionTokens >= 0) {
                return completionTokens;
            }
            return Math.max(0, totalTokens - Math.max(0, promptTokens));
        }
    }

    /**
     * The request id of a stream that went out without its {@code [DONE]} (its upstream
     * broke, or its client left); empty for anything else.
     */
    Optional<String> cutStream() {
        synchronized (pending) {
            finish();
            return shape == EVENT_STREAM && !done && !overflowed ? Optional.ofNullable(requestId) : Optional.empty();
        }
    }

    /** Whether the completion tokens were counted by chunks, for want of a usage. */
    boolean countedByChunks() {
        synchronized (pending) {
            finish();
            return !usageSeen && contentChunks > 0;
        }
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
            if (overflowed || finished) {
                return;
            }
            pending.append(buffer.toString(buffer.readPosition(), buffer.readableByteCount(), StandardCharsets.UTF_8));
            if (shape == UNKNOWN) {
                shape = shapeOf(pending);
            }
            if (shape == EVENT_STREAM) {
                // each complete line is read as it arrives; the unfinished rest waits
                int start = 0;
                int newline;
                while ((newline = indexOf(pending, "\n", start, pending.length())) >= 0) {
                    line(start, newline);
                    start = newline + 1;
                }
                pending.delete(0, start);
            }
            if (pending.length() > MAX_PENDING_CHARS) {
                overflowed = true;
                pending.setLength(0);
            }
        }
    }

    /**
     * Reads a whole body once it has gone out. A stream's unfinished last line is left
     * unread: the client did not get that event whole.
     */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (!overflowed && shape == WHOLE_BODY) {
            int at = 0;
            int usage;
            while ((usage = indexOf(pending, "\"usage\"", at, pending.length())) >= 0) {
                readUsage(usage, pending.length());
                at = usage + 1;
            }
        }
        pending.setLength(0);
    }

    /**
     * A JSON body begins with a brace; anything else is read as server-sent events.
     */
    private static int shapeOf(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' ? WHOLE_BODY : EVENT_STREAM;
            }
        }
        return UNKNOWN;
    }

    /** One line of a stream, [start, end): only {@code data:} lines say anything. */
    private void line(int start, int end) {
        int at = skipWhitespace(start, end);
        if (!regionMatches(at, end, "data:")) {
            return;
        }
        at += "data:".length();
        if (regionMatches(skipWhitespace(at, end), end, "[DONE]")) {
            done = true;
            return;
        }
        if (requestId == null) {
            requestId = stringValue(at, end, "\"id\"");
        }
        int usage = indexOf(pending, "\"usage\"", at, end);
        if (usage >= 0) {
            readUsage(usage, end);
        }
        if (hasText(at, end, "\"content\"") || hasText(at, end, "\"text\"") || hasText(at, end, "\"arguments\"")) {
            contentChunks++;
        }
    }

    /** The string value of {@code key} in [start, end), if it holds a plain one. */
    private @Nullable String stringValue(int start, int end, String key) {
        int at = indexOf(pending, key, start, end);
        if (at < 0) {
            return null;
        }
        int open = valueStart(at + key.length(), end);
        if (open < 0 || pending.charAt(open) != '"') {
            return null;
        }
        int close = indexOf(pending, "\"", open + 1, end);
        return close < 0 || close - open > 200 ? null : pending.substring(open + 1, close);
    }

    /**
     * Reads the usage object whose key begins at {@code key}; a usage of {@code null} or
     * anything else that is not an object with token counts changes nothing.
     */
    private void readUsage(int key, int end) {
        int open = valueStart(key + "\"usage\"".length(), end);
        if (open < 0 || pending.charAt(open) != '{') {
            return;
        }
        int close = objectEnd(open, end);
        if (close < 0) {
            return;
        }
        long prompt = number(open, close, "\"prompt_tokens\"");
        long completion = number(open, close, "\"completion_tokens\"");
        long total = number(open, close, "\"total_tokens\"");
        if (prompt < 0 && completion < 0 && total < 0) {
            return;
        }
        usageSeen = true;
        promptTokens = prompt;
        completionTokens = completion;
        totalTokens = total >= 0 ? total : Math.max(0, prompt) + Math.max(0, completion);
    }

    /**
     * Whether a key in [start, end) has a non-empty string value (a chunk that carries
     * content, text or tool-call arguments).
     */
    private boolean hasText(int start, int end, String key) {
        int at = start;
        int found;
        while ((found = indexOf(pending, key, at, end)) >= 0) {
            int value = valueStart(found + key.length(), end);
            if (value >= 0 && value + 1 < end && pending.charAt(value) == '"' && pending.charAt(value + 1) != '"') {
                return true;
            }
            at = found + 1;
        }
        return false;
    }

    /** The non-negative integer value of a key in [start, end), or -1. */
    private long number(int start, int end, String key) {
        int found = indexOf(pending, key, start, end);
        if (found < 0) {
            return -1;
        }
        int at = valueStart(found + key.length(), end);
        if (at < 0 || !Character.isDigit(pending.charAt(at))) {
            return -1;
        }
        long value = 0;
        while (at < end && Character.isDigit(pending.charAt(at)) && value < Long.MAX_VALUE / 10) {
            value = value * 10 + (pending.charAt(at++) - '0');
        }
        return value;
    }

    /**
     * After a key: the index of its value (past the colon and whitespace), or -1 when no
     * colon follows.
     */
    private int valueStart(int afterKey, int end) {
        int at = skipWhitespace(afterKey, end);
        if (at >= end || pending.charAt(at) != ':') {
            return -1;
        }
        at = skipWhitespace(at + 1, end);
        return at < end ? at : -1;
    }

    /** The index of the brace that closes the object opened at {@code open}, or -1. */
    private int objectEnd(int open, int end) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < end; i++) {
            char c = pending.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                }
                else if (c == '"') {
                    inString = false;
                }
            }
            else if (c == '"') {
                inString = true;
            }
            else if (c == '{') {
                depth++;
            }
            else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private int skipWhitespace(int start, int end) {
        int at = start;
        while (at < end && Character.isWhitespace(pending.charAt(at))) {
            at++;
        }
        return at;
    }

    private boolean regionMatches(int start, int end, String text) {
        if (end - start < text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (pending.charAt(start + i) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code text} begins within [start, end) of {@code in}, or -1. */
    private static int indexOf(CharSequence in, String text, int start, int end) {
        char first = text.charAt(0);
        for (int i = start; i <= end - text.length(); i++) {
            if (in.charAt(i) != first) {
                continue;
            }
            int j = 1;
            while (j < text.length() && in.charAt(i + j) == text.charAt(j)) {
                j++;
            }
            if (j == text.length()) {
                return i;
            }
        }
        return -1;
    }

}
