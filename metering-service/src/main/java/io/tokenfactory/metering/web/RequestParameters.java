package io.tokenfactory.metering.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.support.problem.QueryParameters;

/**
 * Query parameters particular to metering's reads (windows, names, options), each failure a 400 that names the
 * parameter; instants, UUIDs and the department scope come from service-support.
 */
public final class RequestParameters {

    /** The longest window any read covers. */
    public static final Duration LONGEST_WINDOW = Duration.ofDays(400);

    private RequestParameters() {
    }

    public record Window(Instant from, Instant to) {
    }

    /** A window [from, to); without {@code to} it ends now, without {@code from} it starts a day earlier. */
    public static Window window(String from, String to, Clock clock) {
        Instant end = to == null || to.isBlank() ? clock.instant() : QueryParameters.instant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofDays(1)) : QueryParameters.instant("from", from);
        if (!start.isBefore(end)) {
            throw QueryParameters.invalid("from must be before to");
        }
        if (Duration.between(start, end).compareTo(LONGEST_WINDOW) > 0) {
            throw QueryParameters.invalid("the window is longer than " + LONGEST_WINDOW.toDays() + " days");
        }
        return new Window(start, end);
    }

    public static String text(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > 200) {
            throw QueryParameters.invalid(name + " is longer than 200 characters");
        }
        return value;
    }

    /** An energy source filter ({@code dcgm}, {@code estimated}, {@code none}, …), as stored: its enum name. */
    public static String energySource(String value) {
        EnergySource source = option("energySource", value, EnergySource.class, null);
        return source == null ? null : source.name();
    }

    public static <E extends Enum<E>> E option(String name, String value, Class<E> options, E otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        for (E option : options.getEnumConstants()) {
            if (option.name().equalsIgnoreCase(value.trim())) {
                return option;
            }
        }
        throw QueryParameters.invalid(name + " must be one of " + java.util.Arrays.stream(options.getEnumConstants())
                .map(option -> option.name().toLowerCase()).toList());
    }
}
