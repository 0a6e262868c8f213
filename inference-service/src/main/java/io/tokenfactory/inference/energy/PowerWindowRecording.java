package io.tokenfactory.inference.energy;

import java.sql.Timestamp;
import java.util.UUID;

import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.inference.InferenceProperties;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Writes a closed power window and its {@code power-sampled} event to the outbox in one transaction. */
@Service
class PowerWindowRecording {

    private final JdbcTemplate jdbc;
    private final ApplicationEventPublisher events;
    private final InferenceProperties properties;

    PowerWindowRecording(JdbcTemplate jdbc, ApplicationEventPublisher events, InferenceProperties properties) {
        this.jdbc = jdbc;
        this.events = events;
        this.properties = properties;
    }

    @Transactional
    public PowerSampled record(EnergyLedger.Window window) {
        UUID eventId = UUID.randomUUID();
        // the busy share can exceed the total only by rounding; metering rejects busy > measured
        double busy = Math.min(window.busyJoules(), window.measuredJoules());
        jdbc.update("INSERT INTO power_window (event_id, node, device, device_kind, window_start, window_end, "
                + "energy_joules, busy_joules, energy_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", eventId,
                properties.node(), window.device(), window.deviceKind(), Timestamp.from(window.start()),
                Timestamp.from(window.end()), window.measuredJoules(), busy, window.source().name());
        PowerSampled sampled = new PowerSampled(eventId, window.end(), properties.node(), window.device(),
                window.deviceKind(), window.start(), window.end(), window.measuredJoules(), busy, window.source());
        events.publishEvent(sampled);
        return sampled;
    }
}
