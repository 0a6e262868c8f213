package io.tokenfactory.metering.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.IdleEnergyAllocated.NodeShare;

import org.junit.jupiter.api.Test;

/**
 * A node-hour's idle energy is shared by the departments that used the node in proportion
 * to their busy energy; the last takes the rounding remainder; an hour nobody used is
 * unallocated. Hours are shared once complete.
 */
class IdleSharesTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static final UUID FINANCE = UUID.fromString("00000000-0000-0000-0000-000000000002");

    private static final UUID LEGAL = UUID.fromString("00000000-0000-0000-0000-000000000003");

    @Test
    void idleEnergyIsSharedInProportionToBusyEnergy() {
        Map<UUID, BigDecimal> busy = new LinkedHashMap<>();
        busy.put(RESEARCH, new BigDecimal("300"));
        busy.put(FINANCE, new BigDecimal("100"));

        Map<UUID, BigDecimal> shares = IdleAllocation.share(new BigDecimal("40"), busy);

        assertThat(shares).containsOnlyKeys(RESEARCH, FINANCE);
        assertThat(shares.get(RESEARCH)).isEqualByComparingTo("30");
        assertThat(shares.get(FINANCE)).isEqualByComparingTo("10");
    }

    @Test
    void theLastDepartmentTakesTheRoundingRemainder() {
        Map<UUID, BigDecimal> busy = new LinkedHashMap<>();
        busy.put(RESEARCH, BigDecimal.ONE);
        busy.put(FINANCE, BigDecimal.ONE);
        busy.put(LEGAL, BigDecimal.ONE);

        Map<UUID, BigDecimal> shares = IdleAllocation.share(BigDecimal.ONE, busy);

        // a third each, to the nanojoule; the last one gets what the others left
        assertThat(shares.get(RESEARCH)).isEqualTo(new BigDecimal("0.333333333"));
        assertThat(shares.get(FINANCE)).isEqualTo(new BigDecimal("0.333333333"));
        assertThat(shares.get(LEGAL)).isEqualTo(new BigDecimal("0.333333334"));
    }

    @Test
    void noIdleEnergyMeansNoShares() {
        assertThat(IdleAllocation.share(new BigDecimal("0.000000000"), Map.of(RESEARCH, BigDecimal.TEN))).isEmpty();
    }

    @Test
    void anHourWithoutBusyEnergyIsUnallocatedInFull() {
        Map<UUID, BigDecimal> shares = IdleAllocation.share(new BigDecimal("7.5"), Map.of(RESEARCH, BigDecimal.ZERO));

        assertThat(shares).containsOnlyKeys((UUID) null);
        assertThat(shares.get(null)).isEqualByComparingTo("7.5");
    }

    @Test
    void anHourIsCompleteOnceItHasEndedAndTheGracePeriodHasPassed() {
        Duration grace = Duration.ofMinutes(5);

        // at 10:04:59 the 09:00 hour is still in its grace period: the last complete one
        // is 08:00
        assertThat(IdleAllocation.lastCompleteHour(Instant.parse("2026-11-20T10:04:59Z"), grace))
            .isEqualTo(Instant.parse("2026-11-20T08:00:00Z"));
        assertThat(IdleAllocation.lastCompleteHour(Instant.parse("2026-11-20T10:05:00Z"), grace))
            .isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(IdleAllocation.lastCompleteHour(Instant.parse("2026-11-21T00:04:00Z"), grace))
            .isEqualTo(Instant.parse("2026-11-20T22:00:00Z"));
    }

    @Test
    void whatBillingWasToldIsComparedNodeByNodeToTheNanojoule() {
        NodeShare dcgm = new NodeShare("node-a", "h100", EnergySource.DCGM, new BigDecimal("1.500000000"),
                new BigDecimal("0.3"), new BigDecimal("60.000000000"));
        NodeShare none = new NodeShare("node-b", null, EnergySource.NONE, new BigDecimal("0E-9"), BigDecimal.ZERO,
                new BigDecimal("0E-9"));

        assertThat(IdleAllocation.detail(List.of(dcgm, none)))
            .isEqualTo("node-a|h100|DCGM|1.500000000|60.000000000;node-b|null|NONE|0.000000000|0.000000000;");
        assertThat(IdleAllocation.detail(List.of())).isEmpty();
        // the overhead is worked out from the share, so a different overhead alone is no
        // change
        NodeShare otherOverhead = new NodeShare("node-a", "h100", EnergySource.DCGM, new BigDecimal("1.500000000"),
                new BigDecimal("9"), new BigDecimal("60.000000000"));
        assertThat(IdleAllocation.detail(List.of(otherOverhead))).isEqualTo(IdleAllocation.detail(List.of(dcgm)));
    }

}
