package io.tokenfactory.inference.energy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tokenfactory.inference.InvalidNodeConfiguration;
import io.tokenfactory.inference.NodeDeclarations.Node;
import io.tokenfactory.inference.NodeSettings.MeterSettings;

/**
 * Opens a node's meter as declared. A named local source that cannot be read refuses
 * start-up; {@code auto} falls back along NVML → RAPL → the estimate, and a fallback is
 * never silent: it is returned (logged as a warning and shown with the node) and every
 * figure of the node says {@code estimated}.
 */
final class EnergyMeters {

    /**
     * A node's meter (null: the node is not metered) and, when {@code auto} fell back,
     * why.
     */
    record Opened(EnergyMeter meter, String fallback) {
    }

    static final String NVML_LIBRARY = "nvidia-ml";

    private EnergyMeters() {
    }

    static Opened open(Node node, String nvmlLibrary, Clock clock) {
        MeterSettings settings = node.meter();
        // an exporter scrape may take at most half a window, so the window's reading is
        // never late
        Duration timeout = settings.interval().dividedBy(2).compareTo(Duration.ofSeconds(2)) < 0
                ? settings.interval().dividedBy(2) : Duration.ofSeconds(2);
        return switch (node.source()) {
            case NONE -> new Opened(null, null);
            case DCGM -> new Opened(new DcgmExporterMeter(settings.url(), settings.gpus(), timeout, clock), null);
            case KEPLER -> new Opened(
                    new KeplerExporterMeter(settings.url(), settings.gpus(), settings.pods(), timeout, clock), null);
            case ESTIMATED -> new Opened(new EstimatedMeter(settings.idleWatts(), settings.maxWatts(), clock), null);
            case NVML -> new Opened(readable(node, "nvml", NvmlMeter.open(nvmlLibrary, settings.gpus(), clock)), null);
            case RAPL -> new Opened(readable(node, "rapl", RaplMeter.open(settings.powercapPath(), clock)), null);
            case AUTO -> firstReadable(settings, nvmlLibrary, clock);
        };
    }

    /** A named local source must be readable, or the service does not start. */
    private static EnergyMeter readable(Node node, String source, EnergyMeter.Probe<?> probe) {
        if (probe.meter() == null) {
            throw new InvalidNodeConfiguration(
                    "node '" + node.name() + "': source " + source + " is not readable here: " + probe.problem());
        }
        return probe.meter();
    }

    private static Opened firstReadable(MeterSettings settings, String nvmlLibrary, Clock clock) {
        List<String> problems = new ArrayList<>();
        EnergyMeter.Probe<NvmlMeter> nvml = NvmlMeter.open(nvmlLibrary, settings.gpus(), clock);
        if (nvml.meter() != null) {
            return new Opened(nvml.meter(), null);
        }
        problems.add("NVML: " + nvml.problem());
        EnergyMeter.Probe<RaplMeter> rapl = RaplMeter.open(settings.powercapPath(), clock);
        if (rapl.meter() != null) {
            return new Opened(rapl.meter(), null);
        }
        problems.add("RAPL: " + rapl.problem());
        return new Opened(new EstimatedMeter(settings.idleWatts(), settings.maxWatts(), clock),
                "no energy counter is readable (" + String.join("; ", problems) + "), so energy is estimated from "
                        + "this process's CPU time (" + settings.idleWatts() + " W idle to " + settings.maxWatts()
                        + " W busy)");
    }

}
