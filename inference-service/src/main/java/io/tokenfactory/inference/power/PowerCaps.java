package io.tokenfactory.inference.power;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import io.tokenfactory.inference.InferenceProperties;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The power caps, kept in the database so that every replica holds the same ones; each
 * replica reads them again every {@code power.refresh}.
 */
@Repository
class PowerCaps {

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final long refreshMillis;

    private volatile List<PowerCap> cached = List.of();

    private volatile long readAt = Long.MIN_VALUE / 2;

    PowerCaps(JdbcTemplate jdbc, Clock clock, InferenceProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.refreshMillis = properties.power().refresh().toMillis();
    }

    /** The caps as last read; read again when older than the refresh interval. */
    List<PowerCap> current() {
        long now = clock.millis();
        if (now - readAt >= refreshMillis) {
            try {
                cached = read();
            }
            catch (RuntimeException e) {
                // the database is away: the caps last read still hold
            }
            readAt = now;
        }
        return cached;
    }

    List<PowerCap> read() {
        return jdbc.query("SELECT scope, name, watts, updated_at, updated_by FROM power_cap ORDER BY scope, name",
                (row, index) -> new PowerCap(PowerScope.of(row.getString("scope")).orElseThrow(), row.getString("name"),
                        row.getDouble("watts"), row.getTimestamp("updated_at").toInstant(),
                        row.getString("updated_by")));
    }

    PowerCap set(PowerScope scope, String name, double watts, @Nullable String by) {
        PowerCap cap = new PowerCap(scope, name, watts, clock.instant(), by);
        jdbc.update("""
                INSERT INTO power_cap (scope, name, watts, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (scope, name) DO UPDATE SET watts = EXCLUDED.watts, updated_at = EXCLUDED.updated_at,
                    updated_by = EXCLUDED.updated_by""", scope.tag(), name, watts, Timestamp.from(cap.updatedAt()), by);
        cached = read();
        return cap;
    }

    boolean remove(PowerScope scope, String name) {
        boolean removed = jdbc.update("DELETE FROM power_cap WHERE scope = ? AND name = ?", scope.tag(), name) > 0;
        cached = read();
        return removed;
    }

    Optional<PowerCap> find(PowerScope scope, String name) {
        return read().stream().filter(cap -> cap.scope() == scope && cap.name().equals(name)).findFirst();
    }

}
