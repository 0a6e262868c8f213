package io.tokenfactory.inference.energy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.tokenfactory.contracts.EnergySource;

/**
 * Kepler on Kubernetes, either generation of its metrics. The whole node: CPU packages,
 * DRAM and GPUs ({@code kepler_node_package|dram|gpu_joules_total}, both modes, in Kepler
 * 0.7; {@code kepler_node_cpu_joules_total} zones package and dram plus
 * {@code kepler_node_gpu_joules_total} from 0.10) — never core, uncore, platform or psys,
 * which overlap them. With a pod pattern, only the serving engine's pods:
 * {@code kepler_container_joules_total} (0.7) or {@code kepler_pod_cpu_joules_total}
 * (package, dram) plus {@code kepler_pod_gpu_joules_total} (0.10+).
 */
final class KeplerExporterMeter implements EnergyMeter {

    private static final Set<String> NODE_V07 = Set.of("kepler_node_package_joules_total",
            "kepler_node_dram_joules_total", "kepler_node_gpu_joules_total");

    private static final Set<String> NODE_V010 = Set.of("kepler_node_cpu_joules_total", "kepler_node_gpu_joules_total");

    private static final Set<String> POD_V07 = Set.of("kepler_container_joules_total");

    private static final Set<String> POD_V010 = Set.of("kepler_pod_cpu_joules_total", "kepler_pod_gpu_joules_total");

    private static final Set<String> CPU_ZONES = Set.of("package", "dram");

    private final ExporterClient scrape;

    private final List<Integer> gpus;

    private final Pattern pods;

    private final Clock clock;

    KeplerExporterMeter(URI url, List<Integer> gpus, String pods, Duration timeout, Clock clock) {
        this.scrape = new ExporterClient(url, timeout);
        this.gpus = List.copyOf(gpus);
        this.pods = pods == null || pods.isBlank() ? null : Pattern.compile(pods);
        this.clock = clock;
    }

    @Override
    public EnergySource source(MeterReading.Kind kind) {
        return EnergySource.KEPLER;
    }

    @Override
    public String device() {
        return pods == null ? "node" : "pods:" + pods.pattern();
    }

    @Override
    public String deviceKind() {
        return "node";
    }

    @Override
    public int accelerators() {
        return Math.max(1, gpus.size());
    }

    @Override
    public boolean continuable() {
        return true;
    }

    @Override
    public MeterReading read() {
        return parse(scrape.text(), gpus, pods, clock);
    }

    /** The selected counters, keyed by metric and labels, in joules. */
    static MeterReading parse(String exposition, List<Integer> gpus, Pattern pods, Clock clock) {
        boolean newer = exposition.contains("kepler_node_cpu_joules_total");
        Set<String> wanted = pods == null ? (newer ? NODE_V010 : NODE_V07) : (newer ? POD_V010 : POD_V07);
        Map<String, Double> values = new TreeMap<>();
        for (PrometheusText.Sample sample : PrometheusText.samples(exposition, wanted::contains)) {
            Map<String, String> labels = sample.labels();
            String zone = labels.get("zone");
            if (zone != null && !CPU_ZONES.contains(zone)) {
                continue;
            }
            if (pods != null && !pods.matcher(labels.getOrDefault("pod_name", "")).matches()) {
                continue;
            }
            if (pods == null && sample.name().endsWith("_gpu_joules_total") && !gpus.isEmpty()) {
                // the GPU's index: label gpu (0.10+), package (0.7.3+) or index (up to
                // 0.7.2)
                String index = labels.getOrDefault("gpu", labels.getOrDefault("package", labels.get("index")));
                if (index == null || !index.matches("\\d+") || !gpus.contains(Integer.parseInt(index))) {
                    continue;
                }
            }
            if (!Double.isFinite(sample.value()) || sample.value() < 0) {
                throw new MeterUnreadable(sample.name() + " is " + sample.value());
            }
            values.put(sample.name() + labels, sample.value());
        }
        if (values.isEmpty()) {
            throw new MeterUnreadable("no Kepler energy counter"
                    + (pods == null ? "" : " of pods matching " + pods.pattern()) + " in the exposition");
        }
        return new MeterReading(clock.instant(), MeterReading.Kind.COUNTER, values);
    }

}
