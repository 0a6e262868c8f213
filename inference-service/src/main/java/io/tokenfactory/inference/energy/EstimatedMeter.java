package io.tokenfactory.inference.energy;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Map;
import java.util.function.LongSupplier;

import io.tokenfactory.contracts.EnergySource;

/**
 * When no counter is readable: idle watts plus the span to max watts times the
 * utilisation this process measured (its CPU time over wall time and cores), integrated
 * over time. It sees only its own process, so it is labelled
 * {@link EnergySource#ESTIMATED} everywhere, and a successor cannot continue its
 * readings.
 */
final class EstimatedMeter implements EnergyMeter {

    private final double idleWatts;

    private final double maxWatts;

    private final int cores;

    private final LongSupplier wallNanos;

    private final LongSupplier cpuNanos;

    private final Clock clock;

    private long lastWall;

    private long lastCpu;

    private double joules;

    EstimatedMeter(double idleWatts, double maxWatts, Clock clock) {
        this(idleWatts, maxWatts, Runtime.getRuntime().availableProcessors(), System::nanoTime,
                EstimatedMeter::processCpuNanos, clock);
    }

    EstimatedMeter(double idleWatts, double maxWatts, int cores, LongSupplier wallNanos, LongSupplier cpuNanos,
            Clock clock) {
        if (idleWatts < 0 || maxWatts < idleWatts) {
            throw new IllegalArgumentException("need 0 <= idle watts <= max watts");
        }
        this.idleWatts = idleWatts;
        this.maxWatts = maxWatts;
        this.cores = cores;
        this.wallNanos = wallNanos;
        this.cpuNanos = cpuNanos;
        this.clock = clock;
        this.lastWall = wallNanos.getAsLong();
        this.lastCpu = cpuNanos.getAsLong();
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    @Override
    public EnergySource source(MeterReading.Kind kind) {
        return EnergySource.ESTIMATED;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public String deviceKind() {
        return "cpu";
    }

    @Override
    public int accelerators() {
        return 1;
    }

    @Override
    public boolean continuable() {
        return false;
    }

    @Override
    public synchronized MeterReading read() {
        long wall = wallNanos.getAsLong();
        long cpu = cpuNanos.getAsLong();
        long elapsed = wall - lastWall;
        if (elapsed > 0) {
            double utilisation = Math.min(1.0, Math.max(0.0, (double) (cpu - lastCpu) / ((double) elapsed * cores)));
            joules += elapsed / 1e9 * (idleWatts + (maxWatts - idleWatts) * utilisation);
            lastWall = wall;
            lastCpu = cpu;
        }
        return new MeterReading(clock.instant(), MeterReading.Kind.COUNTER, Map.of("estimate", joules));
    }

}
