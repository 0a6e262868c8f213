package io.tokenfactory.inference.generation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import java.util.concurrent.CompletableFuture;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;

/**
 * One request's life in a {@link GenerationEngine}: its sampled tokens, the text they
 * make, stop sequences held back until they can be ruled out, and the work it tells its
 * node's ledger (prompt tokens at admission, then each generated token). Only the decode
 * thread mutates it, except {@link #cancel()}.
 */
public final class Generation {

    private final GenerationRequest request;

    private final Clock clock;

    private final Instant submittedAt;

    private final long submittedNanos;

    private final ByteVocabulary.Decoder decoder = new ByteVocabulary.Decoder();

    private final StringBuilder text = new StringBuilder();

    private final int longestStop;

    private volatile boolean cancelRequested;

    private int emitted;

    private int promptTokensProcessed;

    private int completionTokens;

    private long timeToFirstTokenMs = -1;

    private Work work;

    private String finishReason;

    private boolean finished;

    Generation(GenerationRequest request, Clock clock) {
        this.request = request;
        this.clock = clock;
        this.submittedAt = clock.instant();
        this.submittedNanos = System.nanoTime();
        this.longestStop = request.stops().stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * Asks the engine to stop this generation at its next step; its tokens so far are
     * still accounted.
     */
    public void cancel() {
        cancelRequested = true;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    GenerationRequest request() {
        return request;
    }

    boolean finished() {
        return finished;
    }

    /** Joins a batch: from now on its work counts on the node. */
    void admitted(NodeEnergy node) {
        work = node.start(true);
    }

    void promptProcessed() {
        promptTokensProcessed = request.prompt().length;
        work.tokens(promptTokensProcessed);
    }

    /**
     * Takes one sampled token: emits the text it completes, and finishes on a stop
     * sequence or max tokens.
     */
    void accept(int token) {
        if (completionTokens == 0) {
            timeToFirstTokenMs = Duration.ofNanos(System.nanoTime() - submittedNanos).toMillis();
        }
        completionTokens++;
        work.tokens(1);
        text.append(decoder.accept(token));
        int stopAt = stopIndex();
        if (stopAt >= 0) {
            text.setLength(stopAt);
            emitUpTo(stopAt);
            finishReason = "stop";
            finished = true;
            return;
        }
        if (completionTokens >= request.maxTokens()) {
            text.append(decoder.flush());
            emitUpTo(text.length());
            finishReason = "length";
            finished = true;
            return;
        }
        emitUpTo(text.length() - heldBack());
    }

    private int stopIndex() {
        int from = Math.max(0, emitted - longestStop);
        int best = -1;
        for (String stop : request.stops()) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /**
     * The longest end of the text that could still become a stop sequence: it is not
     * shown yet.
     */
    private int heldBack() {
        int held = 0;
        for (String stop : request.stops()) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > held; k--) {
                if (text.substring(text.length() - k).equals(stop.substring(0, k))) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private void emitUpTo(int end) {
        if (end > emitted) {
            request.listener().onText(text.substring(emitted, end), completionTokens);
            emitted = end;
        }
    }

    GenerationResult completed() {
        return result(UsageOutcome.COMPLETED, finishReason, null);
    }

    GenerationResult cancelled() {
        return result(UsageOutcome.CANCELLED, null, null);
    }

    GenerationResult failed(String error) {
        return result(UsageOutcome.FAILED, null, error);
    }

    private GenerationResult result(UsageOutcome outcome, String reason, String error) {
        finished = true;
        // a request cancelled while it waited drew nothing
        CompletableFuture<MeasuredEnergy> energy = work == null
                ? CompletableFuture.completedFuture(MeasuredEnergy.UNMETERED) : work.finish(completionTokens);
        return new GenerationResult(outcome, reason, promptTokensProcessed, completionTokens, submittedAt,
                clock.instant(), timeToFirstTokenMs, energy, error);
    }

}
