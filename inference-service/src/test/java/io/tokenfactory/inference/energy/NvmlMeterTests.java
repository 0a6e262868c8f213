package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.InvalidNodeConfiguration;
import io.tokenfactory.inference.NodeDeclarations;
import io.tokenfactory.inference.NodeSettings;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NVML meter against a fake {@code libnvidia-ml} built from C here (gcc is on every
 * build machine): the calls the meter makes, unsigned counters, a wrap of the 64-bit
 * counter, a GPU without an energy counter, and no driver.
 */
class NvmlMeterTests {

    interface FakeNvml extends Library {

        void fake_set_energy(int gpu, long millijoules);

        void fake_set_supported(int supported);

        int fake_power_limit(int gpu);

    }

    @TempDir
    static Path build;
    static String library;
    static FakeNvml fake;

    @BeforeAll
    static void buildTheFakeDriver() throws Exception {
        Path source = build.resolve("fake_nvml.c");
        try (InputStream in = NvmlMeterTests.class.getResourceAsStream("/nvml/fake_nvml.c")) {
            Files.copy(in, source);
        }
        Path so = build.resolve("libnvidia-ml-fake.so");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", so.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        }
        catch (IOException noCompiler) {
            assumeTrue(false, "gcc is needed to build the fake NVML library");
            return;
        }
        assertThat(gcc.waitFor()).as(new String(gcc.getInputStream().readAllBytes())).isZero();
        library = so.toString();
        fake = Native.load(library, FakeNvml.class);
    }

    @Test
    void readsEveryGpusCounterInJoules() {
        fake.fake_set_supported(1);
        fake.fake_set_energy(0, 5_000_000);
        fake.fake_set_energy(1, 7_500);

        NvmlMeter meter = NvmlMeter.open(library, List.of(), Clock.systemUTC()).meter();

        assertThat(meter.device()).isEqualTo("gpu0,gpu1");
        assertThat(meter.accelerators()).isEqualTo(2);
        assertThat(meter.source(MeterReading.Kind.COUNTER)).isEqualTo(EnergySource.NVML);
        assertThat(meter.read().values()).containsEntry("gpu0", 5_000.0).containsEntry("gpu1", 7.5);
        assertThat(NvmlMeter.open(library, List.of(1), Clock.systemUTC()).meter().device()).isEqualTo("gpu1");
    }

    @Test
    void aNodesPowerCapLowersItsGpusPowerLimitsWithinWhatTheyAllowAndRemovingItRestoresThem() {
        fake.fake_set_supported(1);
        NvmlMeter meter = NvmlMeter.open(library, List.of(), Clock.systemUTC()).meter();

        assertThat(meter.limitPower(500.0)).containsEntry("gpu0", "250.0 W").containsEntry("gpu1", "250.0 W");
        assertThat(fake.fake_power_limit(0)).isEqualTo(250_000);
        // no lower than a GPU allows
        assertThat(meter.limitPower(50.0)).containsEntry("gpu0", "100.0 W");
        assertThat(fake.fake_power_limit(1)).isEqualTo(100_000);
        assertThat(meter.limitPower(null)).containsEntry("gpu0", "700.0 W").containsEntry("gpu1", "700.0 W");
        assertThat(fake.fake_power_limit(0)).isEqualTo(700_000);
    }

    @Test
    void theUnsigned64BitCounterWrapsWithoutCreatingOrLosingEnergy() throws InterruptedException {
        fake.fake_set_supported(1);
        NvmlMeter meter = NvmlMeter.open(library, List.of(0), Clock.systemUTC()).meter();
        fake.fake_set_energy(0, -500); // 2^64 - 500 mJ: above what a signed long holds
        MeterReading before = meter.read();
        Thread.sleep(20);
        fake.fake_set_energy(0, 700);
        MeterReading after = meter.read();

        EnergyMeter.Delta delta = meter.between(before, after);
        assertThat(delta.joules()).isCloseTo(1.2, within(0.005));
        assertThat(delta.note()).isEqualTo("gpu0 counter wrapped");
    }

    @Test
    void aDriverReloadStartsTheCounterAgainAndIsAResetNotAWrap() throws InterruptedException {
        fake.fake_set_supported(1);
        NvmlMeter meter = NvmlMeter.open(library, List.of(0), Clock.systemUTC()).meter();
        fake.fake_set_energy(0, 9_000_000_000L);
        MeterReading before = meter.read();
        Thread.sleep(20);
        fake.fake_set_energy(0, 3_000);
        EnergyMeter.Delta delta = meter.between(before, meter.read());

        assertThat(delta.joules()).isEqualTo(3.0);
        assertThat(delta.note()).isEqualTo("gpu0 counter reset");
    }

    @Test
    void aGpuWithoutAnEnergyCounterOrNoDriverAtAllIsNoNvmlMeter() {
        fake.fake_set_supported(0);
        assertThat(NvmlMeter.open(library, List.of(), Clock.systemUTC()).problem()).contains("has no energy counter");
        fake.fake_set_supported(1);
        assertThat(NvmlMeter.open(library, List.of(5), Clock.systemUTC()).problem()).contains("no GPU 5");
        assertThat(NvmlMeter.open(build.resolve("absent/libnvidia-ml.so").toString(), List.of(), Clock.systemUTC())
            .problem()).contains("no NVIDIA driver library");
    }

    @Test
    void withoutADriverAutoFallsBackToTheEstimateAndSaysWhyWhileANamedNvmlRefusesToStart() {
        String absent = build.resolve("absent/libnvidia-ml.so").toString();
        NodeSettings.MeterSettings settings = new NodeSettings.MeterSettings("auto", null, List.of(),
                Duration.ofSeconds(1), null, build.resolve("no-powercap"), 10, 65);

        EnergyMeters.Opened auto = EnergyMeters.open(
                new NodeDeclarations.Node("local", null, NodeDeclarations.Source.AUTO, settings, true, null), absent,
                Clock.systemUTC());

        assertThat(auto.meter()).isInstanceOf(EstimatedMeter.class);
        assertThat(auto.fallback()).contains("NVML: no NVIDIA driver library")
            .contains("RAPL: no ")
            .contains("estimated from this process's CPU time");
        assertThatThrownBy(() -> EnergyMeters.open(
                new NodeDeclarations.Node("local", null, NodeDeclarations.Source.NVML, settings, true, null), absent,
                Clock.systemUTC()))
            .isInstanceOf(InvalidNodeConfiguration.class)
            .hasMessage("node 'local': source nvml is not readable here: no NVIDIA driver library (" + absent
                    + ") on this machine");
    }

}
