package io.tokenfactory.support.problem;

import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import org.springframework.http.HttpStatus;

/**
 * Query and path parameters read strictly: each failure is a 400 problem
 * ({@code invalid_parameter}) that names the parameter, never a 500.
 */
public final class QueryParameters {

    private static final Instant EARLIEST = Instant.EPOCH;

    private static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

    private QueryParameters() {
    }

    /**
     * An ISO-8601 instant between 1970 and 9999, what PostgreSQL and every client can
     * hold.
     */
    public static Instant instant(String name, String value) {
        Instant instant;
        try {
            instant = Instant.parse(value);
        }
        catch (DateTimeParseException | NullPointerException e) {
            throw invalid(name + " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw invalid(name + " must lie between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    /** A UUID, or null when the parameter is absent or blank. */
    public static UUID uuid(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value);
        }
        catch (IllegalArgumentException e) {
            throw invalid(name + " must be a UUID");
        }
    }

    /** A calendar month written {@code yyyy-MM}. */
    public static YearMonth month(String name, String value) {
        if (value == null || !value.matches("\\d{4}-\\d{2}")) {
            throw invalid(name + " must be a month such as 2026-11");
        }
        try {
            return YearMonth.parse(value);
        }
        catch (DateTimeParseException e) {
            throw invalid(name + " must be a month such as 2026-11");
        }
    }

    public static ApiProblemException invalid(String detail) {
        return new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter", detail);
    }

}
