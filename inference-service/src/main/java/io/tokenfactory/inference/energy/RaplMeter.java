package io.tokenfactory.inference.energy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.tokenfactory.contracts.EnergySource;

/**
 * Linux powercap (Intel/AMD RAPL): the {@code energy_uj} counter of every CPU package
 * zone, each wrapping at its {@code max_energy_range_uj}. Since Linux 5.10 the counters
 * are readable by root only.
 */
final class RaplMeter implements EnergyMeter {

    private final Map<String, Path> counters;

    private final Map<String, Double> wrapJoules;

    private final Clock clock;

    private RaplMeter(Map<String, Path> counters, Map<String, Double> wrapJoules, Clock clock) {
        this.counters = counters;
        this.wrapJoules = wrapJoules;
        this.clock = clock;
    }

    /**
     * The package zones under {@code root} (normally {@code /sys/class/powercap}), or why
     * there are none.
     */
    static Probe<RaplMeter> open(Path root, Clock clock) {
        if (!Files.isDirectory(root)) {
            return new Probe<>(null, "no " + root + " (no RAPL on this machine or in this container)");
        }
        Map<String, Path> counters = new LinkedHashMap<>();
        Map<String, Double> wraps = new LinkedHashMap<>();
        String unreadable = null;
        try (Stream<Path> entries = Files.list(root)) {
            for (Path zone : entries.sorted().toList()) {
                String name = zone.getFileName().toString();
                // top-level package zones only (intel-rapl:0, amd-rapl:1); sub-zones are
                // contained in them
                if (!name.matches("[a-z]+-rapl:\\d+") || !Files.exists(zone.resolve("energy_uj")) || !aPackage(zone)) {
                    continue;
                }
                if (!Files.isReadable(zone.resolve("energy_uj")) || !readable(zone.resolve("energy_uj"))) {
                    unreadable = zone.resolve("energy_uj") + " is not readable by user "
                            + System.getProperty("user.name") + " (Linux allows root only since 5.10)";
                    continue;
                }
                counters.put(name, zone.resolve("energy_uj"));
                Path max = zone.resolve("max_energy_range_uj");
                wraps.put(name,
                        Files.isReadable(max) ? Long.parseLong(Files.readString(max).trim()) / 1e6 : Double.NaN);
            }
        }
        catch (IOException | RuntimeException e) {
            return new Probe<>(null, "RAPL zones under " + root + " could not be listed: " + e.getMessage());
        }
        if (counters.isEmpty()) {
            return new Probe<>(null, unreadable != null ? unreadable : "no RAPL package zone under " + root);
        }
        return new Probe<>(new RaplMeter(counters, wraps, clock), null);
    }

    /**
     * A CPU package (its name {@code package-N}); psys, the whole platform, is a
     * top-level zone too and overlaps them.
     */
    private static boolean aPackage(Path zone) {
        try {
            Path name = zone.resolve("name");
            return !Files.exists(name) || Files.readString(name).trim().startsWith("package");
        }
        catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean readable(Path counter) {
        try {
            Long.parseLong(Files.readString(counter).trim());
            return true;
        }
        catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public EnergySource source(MeterReading.Kind kind) {
        return EnergySource.RAPL;
    }

    @Override
    public String device() {
        return "cpu-package";
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
        return true;
    }

    @Override
    public MeterReading read() {
        Map<String, Double> values = new LinkedHashMap<>();
        for (var counter : counters.entrySet()) {
            try {
                values.put(counter.getKey(), Long.parseLong(Files.readString(counter.getValue()).trim()) / 1e6);
            }
            catch (IOException | RuntimeException e) {
                throw new MeterUnreadable(counter.getValue() + " could not be read: " + e.getMessage());
            }
        }
        return new MeterReading(clock.instant(), MeterReading.Kind.COUNTER, values);
    }

    @Override
    public Delta between(MeterReading earlier, MeterReading later) {
        return Delta.between(earlier, later, zone -> wrapJoules.getOrDefault(zone, Double.NaN));
    }

}
