package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static io.tokenfactory.metering.MeteringFixtures.properties;
import static io.tokenfactory.metering.MeteringFixtures.pue;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.energy.EnergyFixtures;
import io.tokenfactory.metering.energy.FacilityOverhead;

import org.junit.jupiter.api.Test;

/** Which usage records metering counts, and what billing is told of each. */
class UsageIngestionRulesTests {

    private static final Instant NOW = Instant.parse("2026-11-20T09:30:00Z");

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final UUID RESEARCH = UUID.randomUUID();

    private final RawUsageRetention thirteenMonths = new RawUsageRetention(properties(13, 1_000), CLOCK);

    private final UsageValidation validation = new UsageValidation(properties(13, 1_000), thirteenMonths);

    @Test
    void aDepartmentsRecordsAreToldToBillingInEventsOfAtMostFiveHundred() {
        java.util.List<Integer> records = java.util.stream.IntStream.range(0, 1_201).boxed().toList();

        java.util.List<java.util.List<Integer>> events = UsageIngestion.inChunks(records,
                UsageIngestion.MAX_ITEMS_PER_EVENT);

        assertThat(events).extracting(java.util.List::size).containsExactly(500, 500, 201);
        assertThat(events.stream().flatMap(java.util.List::stream)).containsExactlyElementsOf(records);
        assertThat(UsageIngestion.inChunks(java.util.List.of(), 500)).isEmpty();
    }

    @Test
    void billingIsToldTheDirectEnergyAndTheOverheadAtThePueOfTheRequestsTime() {
        FacilityOverhead facility = EnergyFixtures.facility(pue("2026-11-20T09:00:00Z", "1.25"));

        UsageMetered.Item before = UsageIngestion
            .meteredItem(usage(RESEARCH, Instant.parse("2026-11-20T08:59:59Z"), 1, 1, 2.5), facility, null, null);
        UsageMetered.Item after = UsageIngestion
            .meteredItem(usage(RESEARCH, Instant.parse("2026-11-20T09:00:00Z"), 1, 1, 2.5), facility, null, null);

        assertThat(before.directEnergyJoules()).isEqualTo(new BigDecimal("2.500000000"));
        assertThat(before.facilityOverheadJoules()).isZero();
        assertThat(before.pue()).isEqualByComparingTo("1");
        assertThat(after.facilityOverheadJoules()).isEqualTo(new BigDecimal("0.625000000"));
        assertThat(after.pue()).isEqualByComparingTo("1.25");
    }

    @Test
    void rawUsageIsKeptForWholeMonthsBackFromThisOne() {
        assertThat(thirteenMonths.thisMonth()).isEqualTo("2026-11-01");
        assertThat(thirteenMonths.oldestRetained()).isEqualTo(Instant.parse("2025-10-01T00:00:00Z"));
        assertThat(new RawUsageRetention(properties(0, 1_000), CLOCK).oldestRetained()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void usageIsAcceptedFromTheOldestRetainedMonthToADayAhead() {
        assertThat(thirteenMonths.accepts(Instant.parse("2025-10-01T00:00:00Z"))).isTrue();
        assertThat(thirteenMonths.accepts(Instant.parse("2025-09-30T23:59:59.999Z"))).isFalse();
        assertThat(thirteenMonths.accepts(NOW.plus(RawUsageRetention.CLOCK_SKEW))).isTrue();
        assertThat(thirteenMonths.accepts(NOW.plus(RawUsageRetention.CLOCK_SKEW).plusMillis(1))).isFalse();
    }

    @Test
    void aPlausibleRecordIsCounted() {
        assertThat(validation.problem(usage(RESEARCH, NOW, 600, 400, 1.5))).isEmpty();
        assertThat(validation.problem(record(NOW, 1, 1, 0, EnergySource.NONE, "node-a"))).isEmpty();
    }

    @Test
    void impossibleRecordsAreRefusedWithTheirReason() {
        assertThat(validation.problem(usage(null, NOW, 1, 1, 1))).hasValue("missing departmentId");
        assertThat(validation.problem(record(NOW, 1, 1, 1, EnergySource.RAPL, null)))
            .hasValue("missing one of occurredAt, requestId, model, outcome, energySource, node, device, backend");
        assertThat(validation.problem(usage(RESEARCH, Instant.parse("2025-09-30T23:59:59Z"), 1, 1, 1)))
            .hasValueSatisfying(reason -> assertThat(reason)
                .contains("outside the accepted range: from " + "2025-10-01T00:00:00Z"));
        assertThat(validation.problem(usage(RESEARCH, NOW, -1, 1, 1)))
            .hasValue("negative token counts: prompt=-1 completion=1");
        assertThat(validation.problem(usage(RESEARCH, NOW, 600, 401, 1)))
            .hasValue("implausible token counts: prompt=600 completion=401");
        assertThat(validation.problem(usage(RESEARCH, NOW, 1, 1, Double.NaN)))
            .hasValue("negative or undefined energy, time, gap or latency");
        assertThat(validation.problem(record(NOW, 1, 1, 0.5, EnergySource.NONE, "node-a")))
            .hasValue("energy without a source: a NONE figure must be 0 J");
        assertThat(validation.problem(record(NOW, 1, 1, 1, EnergySource.RAPL, "n".repeat(201))))
            .hasValueSatisfying(reason -> assertThat(reason).startsWith("an identifier is too long"));
    }

    private static UsageRecorded record(Instant at, long prompt, long completion, double joules, EnergySource source,
            String node) {
        return new UsageRecorded(UUID.randomUUID(), at, "req-1", RESEARCH, UUID.randomUUID(), null, null, "llama",
                "djl", node, "cpu0", prompt, completion, UsageOutcome.COMPLETED, 100, 10, joules, source, 0.5, false,
                null, 0.0);
    }

}
