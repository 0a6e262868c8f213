import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tokenfactory.inference.energy.MeterReading;

/**
 * The project's NVML meter against nvidia-smi on the same GPUs over the same seconds: first with the GPUs idle, then
 * under a load. The meter is the one inference-service uses for {@code energy.source: nvml} (NvmlMeter: the
 * driver's total-energy counter, read through JNA), opened here exactly as the service opens it.
 *
 * The reference is nvidia-smi's own energy counter ({@code --query-gpu=total_energy_consumption}) where this
 * driver's nvidia-smi knows that field; where it does not, nvidia-smi's {@code power.draw} sampled every 100 ms and
 * integrated over time, which is an independent path (the power sensor, not the energy counter) and says so in the
 * table.
 *
 * Run with bench/gpu-energy.sh; arguments: idle seconds, load seconds, output file, load command (may be empty).
 */
public class GpuEnergyBenchmark {

    public static void main(String[] args) throws Exception {
        double idleSeconds = Double.parseDouble(args[0]);
        double loadSeconds = Double.parseDouble(args[1]);
        Path output = Path.of(args[2]);
        String load = args.length > 3 ? args[3].trim() : "";

        Meter meter = Meter.open(System.getProperty("tokenfactory.inference.nvml-library", "nvidia-ml"));
        String gpus = String.join(" | ", nvidiaSmi("--query-gpu=index,name,driver_version", "--format=csv,noheader"));
        Reference reference = Reference.choose();
        System.out.printf(Locale.ROOT, "GPUs: %s%nNVML meter reads %s; reference: %s%n", gpus, meter.device(),
                reference.describe());

        List<String> rows = new ArrayList<>();
        rows.add(phase("idle", idleSeconds, null, meter, reference));
        if (load.isEmpty()) {
            rows.add("| load | — | — | — | — | no load command was found (see bench/gpu-energy.sh) |");
        } else {
            rows.add(phase("load", loadSeconds, load, meter, reference));
        }

        StringBuilder table = new StringBuilder();
        table.append("GPUs: ").append(gpus).append("  \n");
        table.append("Reference: ").append(reference.describe()).append("  \n");
        table.append("Measured ").append(Instant.now()).append(" with bench/gpu-energy.sh.\n\n");
        table.append("| phase | seconds | NVML meter J | reference J | meter / reference | load |\n");
        table.append("|---|---:|---:|---:|---:|---|\n");
        rows.forEach(row -> table.append(row).append('\n'));
        System.out.print("\n" + table);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, table);
    }

    /** One phase: both meters read over the same interval, with the load running when there is one. */
    static String phase(String name, double seconds, String load, Meter meter, Reference reference) throws Exception {
        Process loader = null;
        if (load != null) {
            loader = new ProcessBuilder("bash", "-c", load).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // let the load reach the GPU before measuring (CUDA context, first kernels)
            Thread.sleep(5_000);
            if (!loader.isAlive()) {
                return "| " + name + " | — | — | — | — | the load command exited early (code " + loader.exitValue()
                        + "): " + load + " |";
            }
        }
        try {
            // the meter first, then the reference, at both ends: nvidia-smi's start-up delay shifts its interval, but
            // the same at both ends, so the two cover intervals of the same length
            MeterReading first = meter.read();
            long start = System.nanoTime();
            reference.begin();
            Thread.sleep((long) (seconds * 1000));
            MeterReading last = meter.read();
            double elapsed = (System.nanoTime() - start) / 1e9;
            double referenceJoules = reference.end();
            double meterJoules = meter.joulesBetween(first, last);
            return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.4f | %s |", name, elapsed, meterJoules,
                    referenceJoules, meterJoules / referenceJoules, load == null ? "none" : load);
        } finally {
            if (loader != null) {
                loader.descendants().forEach(ProcessHandle::destroy);
                loader.destroy();
                loader.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** inference-service's NvmlMeter, which is package-private there: reached by reflection, used as the service does. */
    record Meter(Object nvml, Method reader, Method difference, Method joules, String device) {

        static Meter open(String library) throws Exception {
            Class<?> type = Class.forName("io.tokenfactory.inference.energy.NvmlMeter");
            Method open = type.getDeclaredMethod("open", String.class, List.class, Clock.class);
            open.setAccessible(true);
            Object opened = open.invoke(null, library, List.of(), Clock.systemUTC());
            Method meterOf = opened.getClass().getDeclaredMethod("meter");
            Method problemOf = opened.getClass().getDeclaredMethod("problem");
            meterOf.setAccessible(true);
            problemOf.setAccessible(true);
            Object meter = meterOf.invoke(opened);
            if (meter == null) {
                throw new IllegalStateException("The NVML meter cannot open: " + problemOf.invoke(opened));
            }
            Method read = type.getDeclaredMethod("read");
            Method between = type.getDeclaredMethod("between", MeterReading.class, MeterReading.class);
            Method device = type.getDeclaredMethod("device");
            read.setAccessible(true);
            between.setAccessible(true);
            device.setAccessible(true);
            Method joules = between.getReturnType().getDeclaredMethod("joules");
            joules.setAccessible(true);
            return new Meter(meter, read, between, joules, (String) device.invoke(meter));
        }

        MeterReading read() throws Exception {
            return (MeterReading) reader.invoke(nvml);
        }

        double joulesBetween(MeterReading first, MeterReading last) throws Exception {
            return (double) joules.invoke(difference.invoke(nvml, first, last));
        }
    }

    /** nvidia-smi's view of the same GPUs' energy. */
    interface Reference {

        String describe();

        void begin() throws Exception;

        double end() throws Exception;

        static Reference choose() throws Exception {
            try {
                Map<String, Double> counters = EnergyCounter.read();
                if (!counters.isEmpty()) {
                    return new EnergyCounter();
                }
            } catch (IllegalStateException notAField) {
                System.out.println("nvidia-smi has no total_energy_consumption field here ("
                        + notAField.getMessage() + "); integrating power.draw instead");
            }
            return new IntegratedPower();
        }
    }

    /** {@code nvidia-smi --query-gpu=total_energy_consumption} (mJ since the driver loaded), summed over the GPUs. */
    static final class EnergyCounter implements Reference {
        private Map<String, Double> first;

        static Map<String, Double> read() throws Exception {
            Map<String, Double> millijoules = new LinkedHashMap<>();
            for (String line : nvidiaSmi("--query-gpu=index,total_energy_consumption", "--format=csv,noheader,nounits")) {
                String[] fields = line.split(",");
                try {
                    millijoules.put(fields[0].trim(), Double.parseDouble(fields[1].trim()));
                } catch (RuntimeException unreadable) {
                    throw new IllegalStateException(line.trim());
                }
            }
            return millijoules;
        }

        public String describe() {
            return "nvidia-smi --query-gpu=total_energy_consumption (the driver's energy counter)";
        }

        public void begin() throws Exception {
            first = read();
        }

        public double end() throws Exception {
            Map<String, Double> last = read();
            return first.keySet().stream().mapToDouble(gpu -> last.get(gpu) - first.get(gpu)).sum() / 1000.0;
        }
    }

    /**
     * {@code nvidia-smi --query-gpu=power.draw -lms 100}, sampled all along and integrated (trapezoids) per GPU over
     * each phase's interval, summed over the GPUs.
     */
    static final class IntegratedPower implements Reference {
        private final Map<String, double[]> last = new LinkedHashMap<>();
        private double from = Double.MAX_VALUE;
        private double joules;

        IntegratedPower() throws IOException {
            Process sampler = new ProcessBuilder("nvidia-smi", "--query-gpu=index,power.draw",
                    "--format=csv,noheader,nounits", "-lms", "100").redirectErrorStream(true).start();
            Runtime.getRuntime().addShutdownHook(new Thread(sampler::destroy));
            Thread reader = new Thread(() -> integrate(sampler), "power-draw-reader");
            reader.setDaemon(true);
            reader.start();
        }

        public String describe() {
            return "nvidia-smi --query-gpu=power.draw every 100 ms, integrated over time (the power sensor; this"
                    + " nvidia-smi has no energy counter field)";
        }

        private void integrate(Process sampler) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(sampler.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    String[] fields = line.split(",");
                    if (fields.length < 2) {
                        continue;
                    }
                    double watts;
                    try {
                        watts = Double.parseDouble(fields[1].trim());
                    } catch (NumberFormatException notANumber) {
                        continue;
                    }
                    synchronized (this) {
                        double now = System.nanoTime() / 1e9;
                        double[] previous = last.put(fields[0].trim(), new double[] {now, watts});
                        if (previous != null && now > from) {
                            joules += (now - Math.max(previous[0], from)) * (watts + previous[1]) / 2;
                        }
                        notifyAll();
                    }
                }
            } catch (IOException ended) {
                // the sampler was stopped
            }
        }

        public synchronized void begin() throws Exception {
            for (int tries = 0; last.isEmpty() && tries < 50; tries++) {
                wait(100);
            }
            from = System.nanoTime() / 1e9;
            joules = 0;
        }

        public synchronized double end() {
            double to = System.nanoTime() / 1e9;
            // from each GPU's last sample to now, at its last power
            double tail = last.values().stream().mapToDouble(sample -> (to - Math.max(sample[0], from)) * sample[1]).sum();
            from = Double.MAX_VALUE;
            return joules + tail;
        }
    }

    static List<String> nvidiaSmi(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("nvidia-smi");
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .lines().filter(line -> !line.isBlank()).toList();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", lines));
        }
        return lines;
    }
}
