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

    private void insert(UUID eventId, Instant processedAt) {
        jdbc.update("INSERT INTO processed_event (event_id, event_type, processed_at) VALUES (?, 'test', ?)", eventId,
                Timestamp.from(processedAt));
    }

    private boolean exists(UUID eventId) {
        return jdbc.queryForObject("SELECT count(*) FROM processed_event WHERE event_id = ?", Long.class, eventId) == 1;
    }

}
