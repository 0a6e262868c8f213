package io.tokenfactory.inference.generation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.energy.EnergyLedger;

/**
 * One request's life in a {@link GenerationEngine}: its sampled tokens, the text they make, stop sequences held back
 * until they can be ruled out, and the energy the ledger assigns to it. Only the decode thread mutates it, except
 * {@link #cancel()}.
 */
public final class Generation implements EnergyLedger.Consumer {

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
    private double energyJoules;
    private double deviceSeconds;
    private String finishReason;
    private boolean finished;

    Generation(GenerationRequest request, Clock clock) {
        this.request = request;
        this.clock = clock;
        this.submittedAt = clock.instant();
        this.submittedNanos = System.nanoTime();
        this.longestStop = request.stops().stream().mapToInt(String::length).max().orElse(0);
    }

    /** Asks the engine to stop this generation at its next step; its tokens so far are still accounted. */
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

    void promptProcessed() {
        promptTokensProcessed = request.prompt().length;
    }

    @Override
    public void addEnergy(double joules, double seconds) {
        energyJoules += joules;
        deviceSeconds += seconds;
    }

    /** Takes one sampled token: emits the text it completes, and finishes on a stop sequence or max tokens. */
    void accept(int token) {
        if (completionTokens == 0) {
            timeToFirstTokenMs = Duration.ofNanos(System.nanoTime() - submittedNanos).toMillis();
        }
        completionTokens++;
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

    /** The longest end of the text that could still become a stop sequence: it is not shown yet. */
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
            request.listener().onText(text.substring(emitted, end));
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
        return new GenerationResult(outcome, reason, promptTokensProcessed, completionTokens, submittedAt,
                clock.instant(), timeToFirstTokenMs, energyJoules, deviceSeconds, error);
    }
}
