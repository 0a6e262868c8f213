package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.tokenfactory.contracts.EnergySource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readings of every meter kind and the energy between two of them: resets, wraps and
 * garbage.
 */
class EnergyMeterTests {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @Test
    void aCounterThatGrowsGivesItsGrowthAndAResetGivesWhatItCountedSinceNeverANegativeOrAJump() {
        MeterReading before = counter(0, Map.of("gpu0", 1_000.0, "gpu1", 2_000.0));
        MeterReading after = counter(1, Map.of("gpu0", 1_250.0, "gpu1", 30.0));

        EnergyMeter.Delta delta = EnergyMeter.Delta.between(before, after, series -> Double.NaN);

        assertThat(delta.joules()).isEqualTo(250.0 + 30.0);
        assertThat(delta.note()).isEqualTo("gpu1 counter reset");
    }

    @Test
    void aCounterThatWrapsAtItsRangeIsToldFromAReset() {
        MeterReading before = counter(0, Map.of("package", 262_143.0));
        MeterReading after = counter(1, Map.of("package", 57.0));

        EnergyMeter.Delta wrapped = EnergyMeter.Delta.between(before, after, zone -> 262_144.0);

        assertThat(wrapped.joules()).isCloseTo(58.0, within(1e-9));
        assertThat(wrapped.note()).isEqualTo("package counter wrapped");
    }

    @Test
    void anImplausibleJumpIsGarbageAndSeriesThatComeAndGoAreNoted() {
        assertThatThrownBy(() -> EnergyMeter.Delta.between(counter(0, Map.of("gpu0", 0.0)),
                counter(1, Map.of("gpu0", 1e9)), series -> Double.NaN))
            .isInstanceOf(MeterUnreadable.class)
            .hasMessageContaining("implausible");

        EnergyMeter.Delta delta = EnergyMeter.Delta.between(counter(0, Map.of("gpu0", 5.0)),
                counter(1, Map.of("gpu1", 9.0)), series -> Double.NaN);
        assertThat(delta.joules()).isZero();
        assertThat(delta.note()).isEqualTo("gpu1 appeared; gpu0 vanished");
    }

    @Test
    void powerIsIntegratedBetweenReadings() {
        MeterReading before = new MeterReading(T0, MeterReading.Kind.POWER, Map.of("gpu0", 100.0, "gpu1", 300.0));
        MeterReading after = new MeterReading(T0.plusSeconds(2), MeterReading.Kind.POWER,
                Map.of("gpu0", 200.0, "gpu1", 300.0));

        assertThat(EnergyMeter.Delta.between(before, after, series -> Double.NaN).joules()).isEqualTo(300.0 + 600.0);
    }

    @Test
    void readsEachSelectedGpusEnergyCounterFromRealDcgmExporterText() {
        MeterReading all = DcgmExporterMeter.parse(fixture("dcgm-4xh100.txt"), List.of(), CLOCK);
        MeterReading two = DcgmExporterMeter.parse(fixture("dcgm-4xh100.txt"), List.of(0, 1), CLOCK);

        assertThat(all.kind()).isEqualTo(MeterReading.Kind.COUNTER);
        assertThat(all.values()).containsOnlyKeys("gpu0", "gpu1", "gpu2", "gpu3");
        assertThat(two.values()).containsOnlyKeys("gpu0", "gpu1");
        assertThat(two.values().get("gpu0")).isEqualTo(1_036_842_517.364);
        assertThatThrownBy(() -> DcgmExporterMeter.parse(fixture("dcgm-4xh100.txt"), List.of(7), CLOCK))
            .isInstanceOf(MeterUnreadable.class)
            .hasMessageContaining("lacks gpu7");
    }

    @Test
    void withoutTheEnergyCounterDcgmPowerIsReadForIntegrationAndLabelledSo() {
        String powerOnly = fixture("dcgm-4xh100.txt").lines()
            .filter(line -> !line.contains("TOTAL_ENERGY_CONSUMPTION"))
            .reduce("", (a, b) -> a + b + "\n");
        DcgmExporterMeter meter = new DcgmExporterMeter(java.net.URI.create("http://unused"), List.of(),
                java.time.Duration.ofSeconds(1), CLOCK);

        MeterReading reading = DcgmExporterMeter.parse(powerOnly, List.of(2), CLOCK);

        assertThat(reading.kind()).isEqualTo(MeterReading.Kind.POWER);
        assertThat(reading.values()).containsExactly(Map.entry("gpu2", 71.118));
        assertThat(meter.source(reading.kind())).isEqualTo(EnergySource.DCGM_POWER);
        assertThat(meter.source(MeterReading.Kind.COUNTER)).isEqualTo(EnergySource.DCGM);
    }

    @Test
    void exporterGarbageIsUnreadableNotZero() {
        assertThatThrownBy(() -> DcgmExporterMeter.parse("<html>bad gateway</html>", List.of(), CLOCK))
            .isInstanceOf(MeterUnreadable.class);
        assertThatThrownBy(() -> DcgmExporterMeter.parse("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\",UUID=\"x\" 12",
                List.of(), CLOCK))
            .isInstanceOf(MeterUnreadable.class);
        assertThatThrownBy(
                () -> DcgmExporterMeter.parse("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\"} NaN", List.of(), CLOCK))
            .isInstanceOf(MeterUnreadable.class);
        // an older exporter's spaces after the commas are fine
        assertThat(DcgmExporterMeter
            .parse("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\", UUID=\"GPU-1\"} 1500\n", List.of(), CLOCK)
            .values()).containsExactly(Map.entry("gpu0", 1.5));
    }

    @Test
    void readsKepler07NodeCountersWithoutTheOnesThatOverlapThem() {
        MeterReading node = KeplerExporterMeter.parse(fixture("kepler-0.7.txt"), List.of(), null, CLOCK);

        // package (both sockets) + dram + gpu, dynamic and idle; never core, uncore,
        // other or platform
        assertThat(node.values().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(
                1520.3 + 1433.1 + 40211.5 + 39876.2 + 210.6 + 198.2 + 3120.4 + 3098.9 + 2310.55 + 11034.2,
                within(1e-6));
        assertThat(node.values().keySet()).allMatch(series -> !series.contains("core") && !series.contains("platform"));
    }

    @Test
    void readsKepler07ContainerCountersOfTheServingEnginesPods() {
        MeterReading pods = KeplerExporterMeter.parse(fixture("kepler-0.7.txt"), List.of(), Pattern.compile("llm-.*"),
                CLOCK);

        assertThat(pods.values().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(3706.04 + 1683.4,
                within(1e-6));
    }

    @Test
    void readsTheNewerKeplersPackageAndDramZonesAndTheSelectedGpus() {
        MeterReading node = KeplerExporterMeter.parse(fixture("kepler-0.11.txt"), List.of(1), null, CLOCK);
        MeterReading pods = KeplerExporterMeter.parse(fixture("kepler-0.11.txt"), List.of(), Pattern.compile("llm-.*"),
                CLOCK);

        assertThat(node.values().values().stream().mapToDouble(Double::doubleValue).sum())
            .isCloseTo(48213.904117 + 198345.112233 + 1.87554325907e8, within(1e-3));
        assertThat(pods.values().values().stream().mapToDouble(Double::doubleValue).sum())
            .isCloseTo(1822.509 + 15873.66241 + 1.8765432109e6, within(1e-3));
        assertThatThrownBy(() -> KeplerExporterMeter.parse(fixture("kepler-0.11.txt"), List.of(),
                Pattern.compile("vllm-.*"), CLOCK))
            .isInstanceOf(MeterUnreadable.class)
            .hasMessageContaining("vllm-");
    }

    @Test
    void readsEveryRaplPackageZoneUnwrapsItsRangeAndSaysWhyItCannot(@TempDir Path powercap) throws IOException {
        zone(powercap.resolve("intel-rapl:0"), "1000000", "262143328850");
        zone(powercap.resolve("intel-rapl:1"), "262143000000", "262143328850");
        // a sub-zone (core) is contained in its package, and psys (the whole platform)
        // overlaps them: neither is read
        zone(powercap.resolve("intel-rapl:0:0"), "5", "262143328850");
        zone(powercap.resolve("intel-rapl:2"), "5", "262143328850");
        Files.writeString(powercap.resolve("intel-rapl:0/name"), "package-0\n");
        Files.writeString(powercap.resolve("intel-rapl:2/name"), "psys\n");

        RaplMeter meter = RaplMeter.open(powercap, CLOCK).meter();
        MeterReading first = meter.read();
        Files.writeString(powercap.resolve("intel-rapl:0/energy_uj"), "3500000");
        Files.writeString(powercap.resolve("intel-rapl:1/energy_uj"), "671149");
        MeterReading second = new MeterReading(T0.plusSeconds(1), MeterReading.Kind.COUNTER, meter.read().values());

        assertThat(first.values()).containsOnlyKeys("intel-rapl:0", "intel-rapl:1");
        assertThat(meter.source(MeterReading.Kind.COUNTER)).isEqualTo(EnergySource.RAPL);
        EnergyMeter.Delta delta = meter.between(first, second);
        // package 0: 2.5 J; package 1 wrapped at its range: 0.328850 J to the top,
        // 0.671149 J after
        assertThat(delta.joules()).isCloseTo(2.5 + 0.328850 + 0.671149, within(1e-6));
        assertThat(delta.note()).isEqualTo("intel-rapl:1 counter wrapped");

        assertThat(RaplMeter.open(powercap.resolve("absent"), CLOCK).problem()).contains("no RAPL on this machine");
        Files.writeString(powercap.resolve("intel-rapl:0/energy_uj"), "not a number");
        Files.writeString(powercap.resolve("intel-rapl:1/energy_uj"), "");
        assertThat(RaplMeter.open(powercap, CLOCK).problem()).contains("is not readable by user");
    }

    private static void zone(Path zone, String energy, String range) throws IOException {
        Files.createDirectories(zone);
        Files.writeString(zone.resolve("energy_uj"), energy);
        Files.writeString(zone.resolve("max_energy_range_uj"), range);
    }

    @Test
    void theEstimateIntegratesIdlePlusUtilisationAndSaysItIsAnEstimate() {
        long[] wall = { 0 };
        long[] cpu = { 0 };
        EstimatedMeter meter = new EstimatedMeter(10, 50, 2, () -> wall[0], () -> cpu[0], CLOCK);
        wall[0] = 2_000_000_000L;
        cpu[0] = 2_000_000_000L; // one of two cores busy for 2 s: half utilisation

        assertThat(meter.read().values().get("estimate")).isCloseTo(2 * (10 + 40 * 0.5), within(1e-9));
        assertThat(meter.source(MeterReading.Kind.COUNTER)).isEqualTo(EnergySource.ESTIMATED);
        assertThat(meter.continuable()).isFalse();
    }

    @Test
    void readingsOfDifferentKindsOrOutOfOrderCannotBeCompared() {
        MeterReading power = new MeterReading(T0.plusSeconds(1), MeterReading.Kind.POWER, Map.of("gpu0", 100.0));

        assertThatThrownBy(
                () -> EnergyMeter.Delta.between(counter(0, Map.of("gpu0", 1.0)), power, series -> Double.NaN))
            .isInstanceOf(MeterUnreadable.class)
            .hasMessage("the meter changed from COUNTER to POWER");
        assertThatThrownBy(() -> EnergyMeter.Delta.between(counter(1, Map.of("gpu0", 1.0)),
                counter(1, Map.of("gpu0", 2.0)), series -> Double.NaN))
            .isInstanceOf(MeterUnreadable.class)
            .hasMessage("readings out of order");
        assertThatThrownBy(() -> EnergyMeter.Delta.between(counter(2, Map.of("gpu0", 1.0)),
                counter(1, Map.of("gpu0", 2.0)), series -> Double.NaN))
            .isInstanceOf(MeterUnreadable.class);
    }

    @Test
    void aDecreaseThatWouldNeedAnImplausibleWrapIsAReset() {
        // wrapping at 1e6 J would mean 999 900 J in one second: the counter restarted
        // instead
        EnergyMeter.Delta delta = EnergyMeter.Delta.between(counter(0, Map.of("zone", 500_000.0)),
                counter(1, Map.of("zone", 400.0)), zone -> 1_000_000.0);

        assertThat(delta.joules()).isEqualTo(400.0);
        assertThat(delta.note()).isEqualTo("zone counter reset");
    }

    @Test
    void aCounterThatDidNotMoveGivesNothingAndNoNote() {
        EnergyMeter.Delta delta = EnergyMeter.Delta.between(counter(0, Map.of("gpu0", 42.0)),
                counter(1, Map.of("gpu0", 42.0)), series -> Double.NaN);

        assertThat(delta.joules()).isZero();
        assertThat(delta.note()).isNull();
    }

    @Test
    void theMostPlausiblePowerIsAllowedAndAnythingAboveItOrANegativePowerIsGarbage() {
        assertThat(EnergyMeter.Delta
            .between(counter(0, Map.of("gpu0", 0.0)), counter(2, Map.of("gpu0", 10_000.0)), series -> Double.NaN)
            .joules()).isEqualTo(10_000.0);
        assertThatThrownBy(() -> EnergyMeter.Delta.between(counter(0, Map.of("gpu0", 0.0)),
                counter(2, Map.of("gpu0", 10_000.5)), series -> Double.NaN))
            .isInstanceOf(MeterUnreadable.class);
        MeterReading before = new MeterReading(T0, MeterReading.Kind.POWER, Map.of("gpu0", -300.0));
        MeterReading after = new MeterReading(T0.plusSeconds(1), MeterReading.Kind.POWER, Map.of("gpu0", 100.0));
        assertThatThrownBy(() -> EnergyMeter.Delta.between(before, after, series -> Double.NaN))
            .isInstanceOf(MeterUnreadable.class)
            .hasMessageContaining("implausible");
    }

    @Test
    void theEstimateCountsUtilisationBetweenNoneAndAllCoresAndIsACounterThatOnlyGrows() {
        long[] wall = { 0 };
        long[] cpu = { 0 };
        EstimatedMeter meter = new EstimatedMeter(10, 50, 2, () -> wall[0], () -> cpu[0], CLOCK);
        wall[0] = 1_000_000_000L;
        cpu[0] = 5_000_000_000L; // more CPU time than two cores have in a second: counted
                                 // as full utilisation
        double full = meter.read().values().get("estimate");
        cpu[0] = 4_000_000_000L; // a CPU clock that went back: counted as idle
        wall[0] = 2_000_000_000L;
        double afterIdle = meter.read().values().get("estimate");
        double unchanged = meter.read().values().get("estimate");

        assertThat(full).isCloseTo(50, within(1e-9));
        assertThat(afterIdle).isCloseTo(50 + 10, within(1e-9));
        assertThat(unchanged).isEqualTo(afterIdle);
    }

    @Test
    void theEstimateRefusesWattsThatCannotBe() {
        assertThatThrownBy(() -> new EstimatedMeter(-1, 50, CLOCK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EstimatedMeter(60, 50, CLOCK)).isInstanceOf(IllegalArgumentException.class);
    }

    private static MeterReading counter(int seconds, Map<String, Double> values) {
        return new MeterReading(T0.plusSeconds(seconds), MeterReading.Kind.COUNTER, values);
    }

    static String fixture(String name) {
        try (InputStream in = EnergyMeterTests.class.getResourceAsStream("/exporters/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
