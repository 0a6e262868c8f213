package io.tokenfactory.support.deadletter;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code dead_letter} table (a shared messaging migration creates it in every
 * service's database).
 */
public class DeadLetterStore {

    private static final String COLUMNS = "id, destination, consumer_group, event_id, event_type, reason_class, reason, "
            + "tries, parked, first_failed_at, last_failed_at, replayed_at, replays, discarded_at, discard_reason";

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;

    private final JsonMapper json;

    public DeadLetterStore(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Parks a message; one that is there already (a replay that failed again, a
     * redelivery after a crash) waits again, with the newest reason. Returns its id.
     */
    UUID park(String destination, String group, String messageKey, @Nullable String eventId, @Nullable String eventType,
            Map<String, String> headers, byte[] body, String reasonClass, String reason, int tries, Instant at) {
        Timestamp now = Timestamp.from(at);
        return jdbc.queryForObject("""
                INSERT INTO dead_letter (id, destination, consumer_group, message_key, event_id, event_type, headers,
                    body, reason_class, reason, tries, parked, first_failed_at, last_failed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (destination, consumer_group, message_key) DO UPDATE SET
                    headers = EXCLUDED.headers, body = EXCLUDED.body, reason_class = EXCLUDED.reason_class,
                    reason = EXCLUDED.reason, tries = EXCLUDED.tries, parked = dead_letter.parked + 1,
                    last_failed_at = EXCLUDED.last_failed_at, replayed_at = NULL, discarded_at = NULL,
                    discard_reason = NULL
                RETURNING id
                """, UUID.class, UUID.randomUUID(), destination, group, messageKey, eventId, eventType,
                json.writeValueAsString(headers), body, reasonClass, reason, tries, now, now);
    }

    /**
     * @param status null: every dead letter
     */
    List<DeadLetter> list(DeadLetter.@Nullable Status status, int limit) {
        String where = status == null ? "" : switch (status) {
            case WAITING -> " WHERE replayed_at IS NULL AND discarded_at IS NULL";
            case REPLAYED -> " WHERE replayed_at IS NOT NULL AND discarded_at IS NULL";
            case DISCARDED -> " WHERE discarded_at IS NOT NULL";
        };
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letter" + where + " ORDER BY last_failed_at DESC LIMIT ?",
                DeadLetterStore::deadLetter, limit);
    }

    /**
     * @param forUpdate lock the row until the transaction ends (replay, discard)
     */
    Optional<Stored> find(UUID id, boolean forUpdate) {
        return jdbc
            .query("SELECT " + COLUMNS + ", headers::text AS header_json, body FROM dead_letter WHERE id = ?"
                    + (forUpdate ? " FOR UPDATE" : ""),
                    (row, n) -> new Stored(deadLetter(row, n), json.readValue(row.getString("header_json"), HEADERS),
                            row.getBytes("body")),
                    id)
            .stream()
            .findFirst();
    }

    void markReplayed(UUID id, Instant at) {
        jdbc.update("UPDATE dead_letter SET replayed_at = ?, replays = replays + 1 WHERE id = ?", Timestamp.from(at),
                id);
    }

    void markDiscarded(UUID id, String reason, Instant at) {
        jdbc.update("UPDATE dead_letter SET discarded_at = ?, discard_reason = ? WHERE id = ?", Timestamp.from(at),
                reason, id);
    }

    long countWaiting() {
        Long waiting = jdbc.queryForObject(
                "SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL AND discarded_at IS NULL", Long.class);
        return waiting == null ? 0 : waiting;
    }

    private static DeadLetter deadLetter(ResultSet row, int rowNum) throws SQLException {
        Instant replayedAt = instant(row, "replayed_at");
        Instant discardedAt = instant(row, "discarded_at");
        DeadLetter.Status status = discardedAt != null ? DeadLetter.Status.DISCARDED
                : replayedAt != null ? DeadLetter.Status.REPLAYED : DeadLetter.Status.WAITING;
        return new DeadLetter(row.getObject("id", UUID.class), row.getString("destination"),
                row.getString("consumer_group"), row.getString("event_id"), row.getString("event_type"),
                row.getString("reason_class"), row.getString("reason"), row.getInt("tries"), row.getInt("parked"),
                row.getTimestamp("first_failed_at").toInstant(), row.getTimestamp("last_failed_at").toInstant(), status,
                replayedAt, row.getInt("replays"), discardedAt, row.getString("discard_reason"));
    }

    private static @Nullable Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    /** A dead letter with what it carried. */
    record Stored(DeadLetter deadLetter, Map<String, String> headers, byte[] body) {
    }

}
