package io.tokenfactory.metering.reconciliation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import org.springframework.stereotype.Component;

/**
 * The differences between what clients received through the gateway and what
 * inference-service served, per department, as Prometheus gauges: those of the most
 * recent window a reconciliation compared (an older window asked afterwards does not
 * replace them). {@code tokenfactory_metering_reconciliation_relayed_difference} is
 * relayed − served by {@code department} and {@code type} ({@code prompt},
 * {@code completion}); {@code …_relayed_until_seconds} is that window's end.
 */
@Component
class ReconciliationGauges {

    private final MultiGauge relayedDifference;

    private final AtomicLong relayedUntil = new AtomicLong();

    ReconciliationGauges(MeterRegistry meters) {
        this.relayedDifference = MultiGauge.builder("tokenfactory.metering.reconciliation.relayed.difference")
            .description("Tokens clients received through the gateway less those inference-service served, "
                    + "per department, in the latest window reconciled")
            .register(meters);
        Gauge.builder("tokenfactory.metering.reconciliation.relayed.until", relayedUntil, AtomicLong::doubleValue)
            .description("The end of the latest window whose relayed tokens were reconciled (epoch seconds)")
            .baseUnit("seconds")
            .register(meters);
    }

    synchronized void relayed(Reconciliation.Relayed check) {
        if (check.difference() == null || check.to().getEpochSecond() < relayedUntil.get()) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Reconciliation.RelayedRow row : check.rows()) {
            if (row.difference() != null) {
                Tags department = Tags.of("department", row.department().toString());
                rows.add(MultiGauge.Row.of(department.and("type", "prompt"), row.difference().promptTokens()));
                rows.add(MultiGauge.Row.of(department.and("type", "completion"), row.difference().completionTokens()));
            }
        }
        relayedDifference.register(rows, true);
        relayedUntil.set(check.to().getEpochSecond());
    }

}
