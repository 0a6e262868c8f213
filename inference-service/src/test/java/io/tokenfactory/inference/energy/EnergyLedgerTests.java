package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

class EnergyLedgerTests {

    @Test
    void splitsEachStepByTokensAndGivesTheRestToIdle() {
        CountingPowerMeter meter = new CountingPowerMeter(1.0);
        EnergyLedger ledger = new EnergyLedger(meter, Clock.systemUTC());
        Share a = new Share();
        Share b = new Share();

        ledger.closeWindow(); // reading 2: 1 J idle since construction, window discarded
        EnergyLedger.Step step = ledger.begin(List.of(a, b), new double[] {3, 1}); // +1 J idle
        ledger.end(step); // +1 J busy: 0.75 to a, 0.25 to b
        EnergyLedger.Window window = ledger.closeWindow(); // +1 J idle

        assertThat(a.joules).isCloseTo(0.75, within(1e-9));
        assertThat(b.joules).isCloseTo(0.25, within(1e-9));
        assertThat(window.measuredJoules()).isCloseTo(3.0, within(1e-9));
        assertThat(window.busyJoules()).isCloseTo(1.0, within(1e-9));
        assertThat(window.idleJoules()).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void overlappingStepsOfTwoModelsShareTheEnergyReadWhileBothRun() {
        CountingPowerMeter meter = new CountingPowerMeter(2.0);
        EnergyLedger ledger = new EnergyLedger(meter, Clock.systemUTC());
        Share generation = new Share();
        Share embedding = new Share();
        ledger.closeWindow();

        EnergyLedger.Step first = ledger.begin(List.of(generation), new double[] {1}); // idle 2
        EnergyLedger.Step second = ledger.begin(List.of(embedding), new double[] {3}); // 2 J to generation alone
        ledger.end(first); // 2 J split 1:3
        ledger.end(second); // 2 J to embedding alone
        EnergyLedger.Window window = ledger.closeWindow(); // idle 2

        assertThat(generation.joules).isCloseTo(2.5, within(1e-9));
        assertThat(embedding.joules).isCloseTo(3.5, within(1e-9));
        assertThat(generation.joules + embedding.joules + window.idleJoules()).isCloseTo(window.measuredJoules(), within(1e-9));
    }

    @Test
    void anUnreadableMeterNeitherFailsTheStepNorLeavesItRunning() {
        boolean[] broken = {false};
        double[] counter = {0};
        PowerMeter flaky = new PowerMeter() {
            public io.tokenfactory.contracts.EnergySource source() {
                return io.tokenfactory.contracts.EnergySource.RAPL;
            }

            public String device() {
                return "flaky";
            }

            public String deviceKind() {
                return "cpu";
            }

            public double joules() {
                if (broken[0]) {
                    throw new IllegalStateException("read failed");
                }
                return counter[0] += 1;
            }
        };
        EnergyLedger ledger = new EnergyLedger(flaky, Clock.systemUTC());
        Share request = new Share();
        EnergyLedger.Step step = ledger.begin(List.of(request), new double[] {1});
        broken[0] = true;
        ledger.end(step); // must not throw, and must end the step
        broken[0] = false;
        double before = request.joules;
        ledger.closeWindow();
        ledger.closeWindow();

        assertThat(request.joules).as("nothing reaches a finished request").isEqualTo(before);
    }

    @Test
    void estimateIntegratesIdleAndUtilisation() {
        long[] wall = {0};
        long[] cpu = {0};
        EstimatedPowerMeter meter = new EstimatedPowerMeter(10, 60, 2, () -> wall[0], () -> cpu[0]);
        wall[0] = 1_000_000_000L; // 1 s idle: 10 J
        assertThat(meter.joules()).isCloseTo(10, within(1e-9));
        wall[0] += 1_000_000_000L;
        cpu[0] += 1_000_000_000L; // one of two cores busy for 1 s: 10 + 50 x 0.5 = 35 J
        assertThat(meter.joules()).isCloseTo(45, within(1e-9));
    }

    @Test
    void dcgmExporterTextIsReadForTheConfiguredGpu() {
        String exposition = """
                # HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).
                # TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter
                DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="GPU-a",device="nvidia0"} 1000
                DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1",UUID="GPU-b",device="nvidia1"} 52345
                """;
        assertThat(DcgmExporterPowerMeter.parse(exposition, 1)).isEqualTo(52345);
        assertThat(DcgmExporterPowerMeter.parse(exposition, 2)).isNaN();
    }

    @Test
    void raplCountersAreSummedAcrossPackagesAndWrapAround(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        java.nio.file.Path zone = java.nio.file.Files.createDirectories(root.resolve("intel-rapl:0"));
        java.nio.file.Files.writeString(zone.resolve("max_energy_range_uj"), "1000000");
        java.nio.file.Files.writeString(zone.resolve("energy_uj"), "900000");
        RaplPowerMeter meter = RaplPowerMeter.open(root);
        assertThat(meter).isNotNull();
        java.nio.file.Files.writeString(zone.resolve("energy_uj"), "100000"); // wrapped: +200000 uJ
        assertThat(meter.joules()).isCloseTo(0.2, within(1e-9));
    }

    private static final class Share implements EnergyLedger.Consumer {
        double joules;

        @Override
        public void addEnergy(double addedJoules, double deviceSeconds) {
            joules += addedJoules;
        }
    }
}
