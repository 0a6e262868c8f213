package io.tokenfactory.inference.energy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.tokenfactory.contracts.EnergySource;

/**
 * NVIDIA's DCGM exporter: {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION}, each GPU's energy
 * counter in millijoules since the driver loaded (so an exporter restart loses nothing).
 * An exporter that lacks the counter (it is not in every counters file) is read through
 * {@code DCGM_FI_DEV_POWER_USAGE}, watts, integrated between readings and labelled
 * {@link EnergySource#DCGM_POWER}.
 */
final class DcgmExporterMeter implements EnergyMeter {

    static final String ENERGY = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION";
    static final String POWER = "DCGM_FI_DEV_POWER_USAGE";

    private final ExporterClient scrape;

    private final List<Integer> gpus;

    private final Clock clock;

    private volatile int accelerators;

    DcgmExporterMeter(URI url, List<Integer> gpus, Duration timeout, Clock clock) {
        this.scrape = new ExporterClient(url, timeout);
        this.gpus = List.copyOf(gpus);
        this.clock = clock;
        this.accelerators = Math.max(1, gpus.size());
    }

    @Override
    public EnergySource source(MeterReading.Kind kind) {
        return kind == MeterReading.Kind.POWER ? EnergySource.DCGM_POWER : EnergySource.DCGM;
    }

    @Override
    public String device() {
        return gpus.isEmpty() ? "gpus" : "gpu" + String.join(",gpu", gpus.stream().map(String::valueOf).toList());
    }

    @Override
    public String deviceKind() {
        return "gpu";
    }

    @Override
    public int accelerators() {
        return accelerators;
    }

    @Override
    public boolean continuable() {
        return true;
    }

    @Override
    public MeterReading read() {
        String text = scrape.text();
        MeterReading reading = parse(text, gpus, clock);
        if (gpus.isEmpty()) {
            accelerators = Math.max(1, reading.values().size());
        }
        return reading;
    }

    /** The selected GPUs' counters in joules, or else their power in watts. */
    static MeterReading parse(String exposition, List<Integer> gpus, Clock clock) {
        List<PrometheusText.Sample> energy = PrometheusText.samples(exposition, ENERGY::equals);
        if (!energy.isEmpty()) {
            return new MeterReading(clock.instant(), MeterReading.Kind.COUNTER, perGpu(energy, ENERGY, gpus, 1000));
        }
        List<PrometheusText.Sample> power = PrometheusText.samples(exposition, POWER::equals);
        if (power.isEmpty()) {
            throw new MeterUnreadable("neither " + ENERGY + " nor " + POWER + " in the exposition");
        }
        return new MeterReading(clock.instant(), MeterReading.Kind.POWER, perGpu(power, POWER, gpus, 1));
    }

    /**
     * The selected GPUs' values (each divided by {@code divisor}); every selected GPU
     * must be there.
     */
    private static Map<String, Double> perGpu(List<PrometheusText.Sample> samples, String metric, List<Integer> gpus,
            double divisor) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (PrometheusText.Sample sample : samples) {
            String gpu = sample.labels().get("gpu");
            if (gpu == null || !gpu.matches("\\d+")) {
                throw new MeterUnreadable(metric + " without a gpu label");
            }
            if (!gpus.isEmpty() && !gpus.contains(Integer.parseInt(gpu))) {
                continue;
            }
            if (!Double.isFinite(sample.value()) || sample.value() < 0) {
                throw new MeterUnreadable(metric + " of gpu " + gpu + " is " + sample.value());
            }
            // one value per GPU: an exporter mapping a GPU to several pods repeats it,
            // with the same value
            values.put("gpu" + gpu, sample.value() / divisor);
        }
        requireAll(values, gpus, metric);
        if (values.isEmpty()) {
            throw new MeterUnreadable(metric + " has no GPU");
        }
        return values;
    }

    private static void requireAll(Map<String, Double> values, List<Integer> gpus, String metric) {
        TreeSet<String> missing = new TreeSet<>();
        for (Integer gpu : gpus) {
            if (!values.containsKey("gpu" + gpu)) {
                missing.add("gpu" + gpu);
            }
        }
        if (!missing.isEmpty()) {
            throw new MeterUnreadable(metric + " lacks " + String.join(", ", missing));
        }
    }

}
