package io.tokenfactory.metering.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.HttpStatus;

/**
 * Query parameters read strictly, each failure a 400 that names the parameter; and the department scope every
 * read applies (a department sees only itself, an administrator everyone).
 */
public final class RequestParameters {

    /** The longest window any read covers. */
    public static final Duration LONGEST_WINDOW = Duration.ofDays(400);
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

    private RequestParameters() {
    }

    public record Window(Instant from, Instant to) {
    }

    /** A window [from, to); without {@code to} it ends now, without {@code from} it starts a day earlier. */
    public static Window window(String from, String to, Clock clock) {
        Instant end = to == null || to.isBlank() ? clock.instant() : instant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofDays(1)) : instant("from", from);
        if (!start.isBefore(end)) {
            throw invalid("from must be before to");
        }
        if (Duration.between(start, end).compareTo(LONGEST_WINDOW) > 0) {
            throw invalid("the window is longer than " + LONGEST_WINDOW.toDays() + " days");
        }
        return new Window(start, end);
    }

    public static Instant instant(String name, String value) {
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid(name + " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw invalid(name + " must lie between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    public static UUID uuid(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw invalid(name + " must be a UUID");
        }
    }

    public static String text(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > 200) {
            throw invalid(name + " is longer than 200 characters");
        }
        return value;
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
        throw invalid(name + " must be one of " + java.util.Arrays.stream(options.getEnumConstants())
                .map(option -> option.name().toLowerCase()).toList());
    }

    /**
     * The department a read is limited to: an administrator's choice (null: all), or the caller's own department
     * for everyone else; asking for another department is refused.
     */
    public static UUID departmentScope(Caller caller, UUID asked) {
        if (caller.isAdmin()) {
            return asked;
        }
        if (caller.departmentId() == null) {
            throw ApiProblemException.forbidden("this API key is bound to no department");
        }
        if (asked != null && !asked.equals(caller.departmentId())) {
            throw ApiProblemException.forbidden("a department API key reads only its own department's usage");
        }
        return caller.departmentId();
    }

    public static ApiProblemException invalid(String detail) {
        return new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter", detail);
    }
}
