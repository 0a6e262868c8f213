package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageRecorded;

import org.junit.jupiter.api.Test;

/**
 * A batch's sums per UTC bucket and group, as the rollups add them, in one order for
 * every batch.
 */
class UsageRollupsTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static final UUID FINANCE = UUID.fromString("00000000-0000-0000-0000-000000000002");

    private static final Instant NINE = Instant.parse("2026-11-20T09:00:00Z");

    @Test
    void recordsOfOneGroupInOneHourAddUp() {
        List<UsageRollups.Row> rows = UsageRollups.sum(
                List.of(usage(RESEARCH, null, "llama", "node-a", NINE.plusSeconds(10), 100, 20, 1.5),
                        usage(RESEARCH, null, "llama", "node-a", NINE.plusSeconds(3599), 10, 2, 0.25)),
                ChronoUnit.HOURS, Map.of());

        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.key()).isEqualTo(new UsageRollups.Key(NINE, RESEARCH, null, "llama", "node-a", "RAPL"));
            assertThat(row.sums().requests).isEqualTo(2);
            assertThat(row.sums().promptTokens).isEqualTo(110);
            assertThat(row.sums().completionTokens).isEqualTo(22);
            assertThat(row.sums().energyJoules).isEqualTo(new BigDecimal("1.750000000"));
            // MeteringEvents gives every request 0.9 accelerator-seconds
            assertThat(row.sums().acceleratorSeconds).isEqualTo(new BigDecimal("1.800000000"));
        });
    }

    @Test
    void anotherHourDepartmentModelNodeOrSourceIsAnotherRow() {
        List<UsageRecorded> records = List.of(usage(RESEARCH, null, "llama", "node-a", NINE, 1, 1, 1),
                usage(RESEARCH, null, "llama", "node-a", NINE.plusSeconds(3600), 1, 1, 1),
                usage(FINANCE, null, "llama", "node-a", NINE, 1, 1, 1),
                usage(RESEARCH, null, "minilm", "node-a", NINE, 1, 1, 1),
                usage(RESEARCH, null, "llama", "node-b", NINE, 1, 1, 1),
                usage(RESEARCH, null, "llama", "node-a", NINE, 1, 1, 0, EnergySource.NONE));

        assertThat(UsageRollups.sum(records, ChronoUnit.HOURS, Map.of())).hasSize(6);
        // a day holds both hours
        assertThat(UsageRollups.sum(records, ChronoUnit.DAYS, Map.of())).hasSize(5);
    }

    @Test
    void rowsComeInOneOrderWhateverTheOrderOfTheBatch() {
        UUID agent = UUID.fromString("00000000-0000-0000-0000-00000000a001");
        List<UsageRollups.Row> rows = UsageRollups.sum(List.of(usage(FINANCE, null, "llama", "node-a", NINE, 1, 1, 1),
                usage(RESEARCH, agent, "llama", "node-a", NINE, 1, 1, 1),
                usage(RESEARCH, null, "llama", "node-a", NINE.plusSeconds(3600), 1, 1, 1),
                usage(RESEARCH, null, "llama", "node-a", NINE, 1, 1, 1)), ChronoUnit.HOURS, Map.of());

        // bucket, then department, then agent (none first)
        assertThat(rows).extracting(UsageRollups.Row::key)
            .extracting(UsageRollups.Key::bucket, UsageRollups.Key::departmentId, UsageRollups.Key::agentId)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(NINE, RESEARCH, null),
                    org.assertj.core.groups.Tuple.tuple(NINE, RESEARCH, agent),
                    org.assertj.core.groups.Tuple.tuple(NINE, FINANCE, null),
                    org.assertj.core.groups.Tuple.tuple(NINE.plusSeconds(3600), RESEARCH, null));
    }

    @Test
    void directEnergyIsAddedUpPerNodeAndHour() {
        var direct = UsageIngestion
            .directEnergyByNodeHour(List.of(usage(RESEARCH, null, "llama", "node-a", NINE.plusSeconds(5), 1, 1, 1.5),
                    usage(FINANCE, null, "minilm", "node-a", NINE.plusSeconds(3000), 1, 1, 0.25),
                    usage(RESEARCH, null, "llama", "node-a", NINE.plusSeconds(3600), 1, 1, 2),
                    usage(RESEARCH, null, "llama", "node-b", NINE, 1, 1, 4)));

        assertThat(direct).hasSize(3);
        assertThat(direct.get(new io.tokenfactory.metering.energy.NodeHours.NodeHour("node-a", NINE)))
            .isEqualTo(new BigDecimal("1.750000000"));
    }

}
