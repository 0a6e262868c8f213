package io.tokenfactory.metering.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.tokenfactory.support.problem.QueryParameters;

/**
 * Query parameters particular to metering's reads (windows and options), each failure a
 * 400 that names the parameter; instants, UUIDs and the department scope come from
 * service-support.
 */
public final class RequestParameters {

    /** The longest window any read covers. */
    public static final Duration LONGEST_WINDOW = Duration.ofDays(400);

    private RequestParameters() {
    }

    public record Window(Instant from, Instant to) {
    }

    /**
     * A window [from, to); without {@code to} it ends now, without {@code from} it starts
     * a day earlier.
     */
    public static Window window(Instant from, Instant to, Clock clock) {
        Instant end = to == null ? clock.instant() : to;
        Instant start = from == null ? end.minus(Duration.ofDays(1)) : from;
        if (!start.isBefore(end)) {
            throw QueryParameters.invalid("from must be before to");
        }
        if (Duration.between(start, end).compareTo(LONGEST_WINDOW) > 0) {
            throw QueryParameters.invalid("the window is longer than " + LONGEST_WINDOW.toDays() + " days");
        }
        return new Window(start, end);
    }

    /**
     * An option by its name in any case, blank for {@code otherwise}; anything else names
     * the options.
     */
    public static <E extends Enum<E>> E option(String name, String value, Class<E> options, E otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        for (E option : options.getEnumConstants()) {
            if (option.name().equalsIgnoreCase(value.trim())) {
                return option;
            }
        }
        throw QueryParameters.invalid(name + " must be one of "
                + java.util.Arrays.stream(options.getEnumConstants())
                    .map(option -> option.name().toLowerCase())
                    .toList());
    }

}
