package io.tokenfactory.metering.web;

import java.time.Clock;
import java.time.Instant;

import io.tokenfactory.metering.web.RequestParameters.Window;

/** The window of a read, as asked for ({@code from} and {@code to}, both optional). */
public record WindowParameters(Instant from, Instant to) {

    /** See {@link RequestParameters#window(Instant, Instant, Clock)}. */
    public Window window(Clock clock) {
        return RequestParameters.window(from, to, clock);
    }
}
