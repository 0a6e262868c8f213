package io.tokenfactory.metering.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.metering.energy.NodeHours.NodeHour;

import org.junit.jupiter.api.Test;

/** Shares and splits add up to the nanojoule, and never make busy energy exceed measured energy. */
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
            PowerSampled window = new PowerSampled(UUID.randomUUID(), end, "n", "d", "cpu", start, end, energy, busy,
                    EnergySource.RAPL);
            Map<NodeHour, BigDecimal[]> byHour = new LinkedHashMap<>();
            PowerIngestion.splitByHour(window, byHour);
            BigDecimal measured = BigDecimal.ZERO;
            BigDecimal busySum = BigDecimal.ZERO;
            for (BigDecimal[] parts : byHour.values()) {
                assertThat(parts[1]).isLessThanOrEqualTo(parts[0]);
                assertThat(parts[1].signum()).isGreaterThanOrEqualTo(0);
                measured = measured.add(parts[0]);
                busySum = busySum.add(parts[1]);
            }
            assertThat(measured).isEqualByComparingTo(EnergyAmounts.exact(energy));
            assertThat(busySum).isEqualByComparingTo(EnergyAmounts.exact(busy));
        }
    }
}
