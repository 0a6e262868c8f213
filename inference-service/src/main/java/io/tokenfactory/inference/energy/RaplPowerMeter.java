package io.tokenfactory.inference.energy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.tokenfactory.contracts.EnergySource;

/**
 * Linux powercap (Intel/AMD RAPL): the {@code energy_uj} counter of every CPU package zone, summed, with each zone's
 * wrap-around at {@code max_energy_range_uj} accounted for.
 */
final class RaplPowerMeter implements PowerMeter {

    private final List<Zone> zones;
    private double joules;

    private RaplPowerMeter(List<Zone> zones) {
        this.zones = zones;
    }

    /** The package zones under {@code root} (normally {@code /sys/class/powercap}), or null when none is readable. */
    static RaplPowerMeter open(Path root) {
        if (!Files.isDirectory(root)) {
            return null;
        }
        List<Zone> zones = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path zone : entries.sorted().toList()) {
                String name = zone.getFileName().toString();
                // top-level package zones only (intel-rapl:0, amd-rapl:1); sub-zones are contained in them
                if (name.matches("[a-z]+-rapl:\\d+") && Files.isReadable(zone.resolve("energy_uj"))) {
                    long max = Files.isReadable(zone.resolve("max_energy_range_uj"))
                            ? Long.parseLong(Files.readString(zone.resolve("max_energy_range_uj")).trim()) : Long.MAX_VALUE;
                    Zone z = new Zone(zone.resolve("energy_uj"), max);
                    z.last = z.read();
                    zones.add(z);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
        return zones.isEmpty() ? null : new RaplPowerMeter(zones);
    }

    @Override
    public EnergySource source() {
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
    public synchronized double joules() {
        for (Zone zone : zones) {
            long now = zone.read();
            long delta = now >= zone.last ? now - zone.last : zone.max - zone.last + now;
            zone.last = now;
            joules += delta / 1e6;
        }
        return joules;
    }

    private static final class Zone {
        private final Path counter;
        private final long max;
        private long last;

        Zone(Path counter, long max) {
            this.counter = counter;
            this.max = max;
        }

        long read() {
            try {
                return Long.parseLong(Files.readString(counter).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
