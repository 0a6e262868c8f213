package io.tokenfactory.metering.efficiency;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Performance per watt as a Prometheus gauge: tokens per joule of direct energy over the
 * last hour, by model, department and energy source
 * ({@code tokenfactory_metering_tokens_per_joule}), refreshed every minute; tokens
 * without an energy figure have no ratio. Rows that disappear (no usage in the last hour)
 * leave the gauge.
 */
@Component
class EfficiencyGauges extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(EfficiencyGauges.class);

    private static final Duration WINDOW = Duration.ofHours(1);

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final MultiGauge tokensPerJoule;

    EfficiencyGauges(JdbcTemplate jdbc, Clock clock, MeterRegistry meters) {
        super("efficiency-gauges", Duration.ofMinutes(1));
        this.jdbc = jdbc;
        this.clock = clock;
        this.tokensPerJoule = MultiGauge.builder("tokenfactory.metering.tokens.per.joule")
            .description("tokens per joule of direct energy over the last hour")
            .register(meters);
    }

    @Override
    protected void runOnce() {
        try {
            refresh();
        }
        catch (RuntimeException e) {
            log.warn("Refreshing the tokens-per-joule gauges failed; will try again: {}", e.getMessage());
        }
    }

    void refresh() {
        List<MultiGauge.Row<?>> rows = jdbc.query("""
                SELECT model, department_id, energy_source, sum(prompt_tokens + completion_tokens), sum(energy_joules)
                FROM usage_record WHERE occurred_at >= ? AND energy_source <> 'NONE'
                GROUP BY model, department_id, energy_source HAVING sum(energy_joules) > 0""",
                (row, i) -> MultiGauge.Row.of(
                        Tags.of("model", row.getString(1), "department", row.getString(2), "source", row.getString(3)),
                        BigDecimal.valueOf(row.getLong(4))
                            .divide(row.getBigDecimal(5), 6, RoundingMode.HALF_EVEN)
                            .doubleValue()),
                Timestamp.from(clock.instant().minus(WINDOW)));
        tokensPerJoule.register(rows, true);
    }

}
