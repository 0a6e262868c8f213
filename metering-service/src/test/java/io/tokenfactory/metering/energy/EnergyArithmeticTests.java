package io.tokenfactory.metering.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.metering.energy.NodeHours.NodeHour;

import org.junit.jupiter.api.Test;

/**
 * Shares and splits add up to the nanojoule, and never make busy energy exceed measured
 * energy.
 */
class EnergyArithmeticTests {

    @Test
    void idleSharesAddUpExactlyToTheIdleEnergy() {
        Random random = new Random(7);
        for (int round = 0; round < 1_000; round++) {
            Map<UUID, BigDecimal> busy = new LinkedHashMap<>();
            for (int d = 0; d < 1 + random.nextInt(6); d++) {
                busy.put(UUID.randomUUID(), BigDecimal.valueOf(1 + random.nextInt(1_000_000_000), 9));
            }
            BigDecimal idle = BigDecimal.valueOf(random.nextInt(1_000_000_000), 7);
            Map<UUID, BigDecimal> shares = IdleAllocation.share(idle, busy);
            assertThat(shares.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(idle);
            assertThat(shares.values()).allMatch(share -> share.signum() >= 0);
        }
    }

    @Test
    void anHourNobodyUsedIsUnallocated() {
        Map<UUID, BigDecimal> shares = IdleAllocation.share(new BigDecimal("12.5"), Map.of());
        assertThat(shares).hasSize(1);
        // the unallocated bucket's key is null
        assertThat(shares.get(null)).isEqualByComparingTo("12.5");
    }

    @Test
    void windowsAcrossHoursSplitByTimeAndNeverTurnIdleNegative() {
        Random random = new Random(11);
        Instant start = Instant.parse("2026-11-20T09:40:00.123Z");
        for (int round = 0; round < 2_000; round++) {
            Instant end = start.plusSeconds(60 + random.nextInt(4 * 3600));
            double energy = random.nextInt(10_000_000) / 997.0;
            double busy = random.nextBoolean() ? energy : energy * random.nextDouble();
            double seconds = Duration.between(start, end).toMillis() / 1000.0 * (1 + random.nextInt(8));
            double busySeconds = random.nextBoolean() ? seconds : seconds * random.nextDouble();
            double gap = random.nextBoolean() ? 0 : seconds * random.nextDouble();
            PowerSampled window = new PowerSampled(UUID.randomUUID(), end, "n", "d", "cpu", start, end, energy, busy,
                    EnergySource.RAPL, "c", seconds, busySeconds, gap);
            Map<NodeHour, NodeHours.Measured> byHour = new LinkedHashMap<>();
            PowerIngestion.splitByHour(window, byHour);
            NodeHours.Measured sum = NodeHours.Measured.none();
            for (NodeHours.Measured part : byHour.values()) {
                assertThat(part.busyJoules()).isLessThanOrEqualTo(part.joules());
                assertThat(part.busyJoules().signum()).isGreaterThanOrEqualTo(0);
                assertThat(part.busySeconds()).isLessThanOrEqualTo(part.seconds());
                assertThat(part.busySeconds().signum()).isGreaterThanOrEqualTo(0);
                sum = sum.plus(part);
            }
            assertThat(sum.joules()).isEqualByComparingTo(EnergyAmounts.exact(energy));
            assertThat(sum.busyJoules()).isEqualByComparingTo(EnergyAmounts.exact(busy));
            assertThat(sum.seconds()).isEqualByComparingTo(EnergyAmounts.exact(seconds));
            assertThat(sum.busySeconds()).isEqualByComparingTo(EnergyAmounts.exact(busySeconds));
            assertThat(sum.gapSeconds()).isEqualByComparingTo(EnergyAmounts.exact(gap));
        }
    }

}
