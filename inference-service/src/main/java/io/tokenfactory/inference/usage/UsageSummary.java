package io.tokenfactory.inference.usage;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What this service served in a window, from its request log: the numbers metering-service reconciles against.
 * A request counts in the window its response completed in (the {@code occurredAt} of its usage event).
 */
@Service
public class UsageSummary {

    public record Served(long requests, long promptTokens, long completionTokens) {
    }

    private final JdbcTemplate jdbc;

    UsageSummary(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    public Served between(Instant from, Instant to) {
        return jdbc.queryForObject("""
                SELECT count(*), COALESCE(sum(prompt_tokens), 0), COALESCE(sum(completion_tokens), 0)
                FROM inference_request WHERE completed_at >= ? AND completed_at < ?""",
                (row, i) -> new Served(row.getLong(1), row.getLong(2), row.getLong(3)),
                Timestamp.from(from), Timestamp.from(to));
    }
}
