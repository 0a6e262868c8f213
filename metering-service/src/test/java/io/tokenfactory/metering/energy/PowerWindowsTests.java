package io.tokenfactory.metering.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.metering.energy.NodeHours.NodeHour;

import org.junit.jupiter.api.Test;

/**
 * Which power windows count, and how a window's figures are split over the hours it
 * covers.
 */
class PowerWindowsTests {

    private final PowerValidation validation = new PowerValidation();

    @Test
    void aWindowWithinOneHourGoesToThatHourWhole() {
        Map<NodeHour, NodeHours.Measured> byHour = split(
                window("2026-11-20T09:10:00Z", "2026-11-20T09:20:00Z", 600, 150, 1200, 300, 0));

        assertThat(byHour).containsOnlyKeys(new NodeHour("node-a", Instant.parse("2026-11-20T09:00:00Z")));
        NodeHours.Measured hour = byHour.values().iterator().next();
        assertThat(hour.joules()).isEqualByComparingTo("600");
        assertThat(hour.busyJoules()).isEqualByComparingTo("150");
        assertThat(hour.seconds()).isEqualByComparingTo("1200");
        assertThat(hour.nodeClass()).isEqualTo("h100");
        assertThat(hour.energySource()).isEqualTo("DCGM");
    }

    @Test
    void aWindowAcrossAnHourIsSplitInProportionToTime() {
        // 45 minutes in the 09:00 hour, 15 in the 10:00 hour
        Map<NodeHour, NodeHours.Measured> byHour = split(
                window("2026-11-20T09:15:00Z", "2026-11-20T10:15:00Z", 400, 200, 3600, 1800, 60));

        NodeHours.Measured nine = byHour.get(new NodeHour("node-a", Instant.parse("2026-11-20T09:00:00Z")));
        NodeHours.Measured ten = byHour.get(new NodeHour("node-a", Instant.parse("2026-11-20T10:00:00Z")));
        assertThat(nine.joules()).isEqualByComparingTo("300");
        assertThat(ten.joules()).isEqualByComparingTo("100");
        assertThat(nine.busyJoules()).isEqualByComparingTo("150");
        assertThat(ten.busyJoules()).isEqualByComparingTo("50");
        assertThat(nine.seconds()).isEqualByComparingTo("2700");
        assertThat(nine.gapSeconds()).isEqualByComparingTo("45");
        assertThat(ten.gapSeconds()).isEqualByComparingTo("15");
    }

    @Test
    void aWindowBusyAllAlongIsBusyAllAlongInEveryHourWhateverTheRounding() {
        // a third of a joule per hour does not divide to the nanojoule: the last hour
        // takes the remainder
        Map<NodeHour, NodeHours.Measured> byHour = split(
                window("2026-11-20T09:00:00Z", "2026-11-20T12:00:00Z", 1, 1, 0, 0, 0));

        assertThat(byHour.values()).extracting(NodeHours.Measured::joules)
            .containsExactly(new BigDecimal("0.333333333"), new BigDecimal("0.333333333"),
                    new BigDecimal("0.333333334"));
        assertThat(byHour.values()).allSatisfy(hour -> assertThat(hour.busyJoules()).isEqualTo(hour.joules()));
    }

    @Test
    void laterFiguresAddUpAndTheLatestClassAndSourceWin() {
        NodeHours.Measured first = new NodeHours.Measured(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.TEN,
                BigDecimal.ONE, BigDecimal.ZERO, "a100", "RAPL");
        NodeHours.Measured later = new NodeHours.Measured(BigDecimal.TEN, BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ZERO, BigDecimal.ONE, "h100", null);

        NodeHours.Measured sum = first.plus(later);

        assertThat(sum).isEqualTo(new NodeHours.Measured(new BigDecimal("11"), new BigDecimal("2"),
                new BigDecimal("11"), BigDecimal.ONE, BigDecimal.ONE, "h100", "RAPL"));
        assertThat(NodeHours.Measured.none().plus(first)).isEqualTo(first);
    }

    @Test
    void aPlausibleWindowIsCounted() {
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-21T09:00:00Z", 100, 100, 10, 10, 0)))
            .isEmpty();
    }

    @Test
    void impossibleWindowsAreRefusedWithTheirReason() {
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-20T09:00:00Z", 1, 0, 0, 0, 0)))
            .hasValue("window must end after it starts and last at most a day");
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-21T09:00:00.001Z", 1, 0, 0, 0, 0)))
            .hasValue("window must end after it starts and last at most a day");
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", -1, 0, 0, 0, 0)))
            .hasValue("negative or undefined energy");
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", Double.NaN, 0, 0, 0, 0)))
            .hasValue("negative or undefined energy");
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", 1, 1.000000001, 0, 0, 0)))
            .hasValue("busy energy exceeds the energy measured in the window");
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", 1, 1, 10, 11, 0)))
            .hasValueSatisfying(reason -> assertThat(reason).startsWith("negative or undefined accelerator"));
        assertThat(validation.problem(window("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", 1, 1, 10, 10, -1)))
            .hasValueSatisfying(reason -> assertThat(reason).startsWith("negative or undefined accelerator"));
        assertThat(validation.problem(new PowerSampled(UUID.randomUUID(), Instant.now(), "node-a", null, "gpu",
                Instant.parse("2026-11-20T09:00:00Z"), Instant.parse("2026-11-20T10:00:00Z"), 1, 1, EnergySource.DCGM,
                null, 0.0, 0.0, 0.0)))
            .hasValue("missing one of eventId, node, device, source, windowStart, windowEnd");
        assertThat(validation.problem(new PowerSampled(UUID.randomUUID(), Instant.now(), "n".repeat(201), "gpu0", "gpu",
                Instant.parse("2026-11-20T09:00:00Z"), Instant.parse("2026-11-20T10:00:00Z"), 1, 1, EnergySource.DCGM,
                null, 0.0, 0.0, 0.0)))
            .hasValueSatisfying(reason -> assertThat(reason).startsWith("an identifier"));
    }

    private static Map<NodeHour, NodeHours.Measured> split(PowerSampled window) {
        Map<NodeHour, NodeHours.Measured> byHour = new LinkedHashMap<>();
        PowerIngestion.splitByHour(window, byHour);
        return byHour;
    }

    private static PowerSampled window(String start, String end, double joules, double busyJoules, double seconds,
            double busySeconds, double gapSeconds) {
        return new PowerSampled(UUID.randomUUID(), Instant.parse(end), "node-a", "gpu0", "gpu", Instant.parse(start),
                Instant.parse(end), joules, busyJoules, EnergySource.DCGM, "h100", seconds, busySeconds, gapSeconds);
    }

}
