package io.tokenfactory.metering.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.tokenfactory.support.events.MessagingHousekeeping;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

@ServiceIntegrationTest
class MessagingHousekeepingIntegrationTests {

    @Autowired
    MessagingHousekeeping housekeeping;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void forgetsConsumedEventIdsOnlyAfterTheRetention() {
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        insert(old, Instant.now().minus(31, ChronoUnit.DAYS));
        insert(recent, Instant.now().minus(29, ChronoUnit.DAYS));

        housekeeping.purge();

        assertThat(exists(old)).isFalse();
        assertThat(exists(recent)).isTrue();
    }

    @Test
    void forgetsSettledDeadLettersAfterTheRetentionButNeverAWaitingOne() {
        Instant longAgo = Instant.now().minus(40, ChronoUnit.DAYS);
        UUID replayedLongAgo = deadLetter(longAgo, longAgo, null);
        UUID discardedLongAgo = deadLetter(longAgo, null, longAgo);
        UUID replayedRecently = deadLetter(longAgo, Instant.now().minus(1, ChronoUnit.DAYS), null);
        UUID waiting = deadLetter(longAgo, null, null);

        housekeeping.purge();

        assertThat(deadLetterExists(replayedLongAgo)).isFalse();
        assertThat(deadLetterExists(discardedLongAgo)).isFalse();
        assertThat(deadLetterExists(replayedRecently)).isTrue();
        assertThat(deadLetterExists(waiting)).isTrue();
    }

    @Test
    void theOutboxIsCompressedWithLz4WhereTheServerHasIt() {
        // a server built with lz4 lists it among the compression methods it offers
        boolean lz4 = Boolean.TRUE.equals(jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM pg_settings
                    WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals))""", Boolean.class));
        String[] expected = lz4 ? new String[] { "l" } : new String[] { "", "p" };

        for (String table : new String[] { "event_publication", "event_publication_archive" }) {
            String method = jdbc.queryForObject("""
                    SELECT attcompression::text FROM pg_attribute
                    WHERE attrelid = ?::regclass AND attname = 'serialized_event'""", String.class, table);
            assertThat(method).as(table).isIn((Object[]) expected);
        }
    }

    private UUID deadLetter(Instant failedAt, Instant replayedAt, Instant discardedAt) {
        UUID id = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO dead_letter (id, destination, consumer_group, message_key, headers, body, reason_class,
                    reason, tries, parked, first_failed_at, last_failed_at, replayed_at, discarded_at)
                VALUES (?, 'tokenfactory.test', 'test', ?, '{}'::jsonb, ''::bytea, 'X', 'test', 1, 1, ?, ?, ?, ?)
                """, id, id.toString(), Timestamp.from(failedAt), Timestamp.from(failedAt),
                replayedAt == null ? null : Timestamp.from(replayedAt),
                discardedAt == null ? null : Timestamp.from(discardedAt));
        return id;
    }

    private boolean deadLetterExists(UUID id) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letter WHERE id = ?", Long.class, id) == 1;
    }

    private void insert(UUID eventId, Instant processedAt) {
        jdbc.update("INSERT INTO processed_event (event_id, event_type, processed_at) VALUES (?, 'test', ?)", eventId,
                Timestamp.from(processedAt));
    }

    private boolean exists(UUID eventId) {
        return jdbc.queryForObject("SELECT count(*) FROM processed_event WHERE event_id = ?", Long.class, eventId) == 1;
    }

}
