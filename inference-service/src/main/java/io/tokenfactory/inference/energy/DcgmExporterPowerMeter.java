package io.tokenfactory.inference.energy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tokenfactory.contracts.EnergySource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA DCGM exporter: scrapes {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION} (millijoules since boot) of one GPU from
 * its Prometheus endpoint. Each reading is the latest scrape, so energy arrives in steps of the scrape interval; the
 * ledger still assigns every joule exactly once.
 */
final class DcgmExporterPowerMeter implements PowerMeter, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DcgmExporterPowerMeter.class);
    private static final Pattern SAMPLE = Pattern.compile(
            "^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\\{([^}]*)}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;
    private final int gpu;
    private final Thread scraper;
    private volatile double millijoules = Double.NaN;
    private double origin = Double.NaN;

    DcgmExporterPowerMeter(URI metrics, int gpu, Duration interval) {
        this.metrics = metrics;
        this.gpu = gpu;
        scrape();
        this.scraper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                scrape();
            }
        }, "dcgm-scraper");
        scraper.setDaemon(true);
        scraper.start();
    }

    boolean readable() {
        return !Double.isNaN(millijoules);
    }

    private void scrape() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            double value = parse(response.body(), gpu);
            if (!Double.isNaN(value)) {
                millijoules = value;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("DCGM exporter scrape of {} failed: {}", metrics, e.toString());
        }
    }

    /** The energy counter of {@code gpu} in a Prometheus text exposition, or NaN when absent. */
    static double parse(String exposition, int gpu) {
        Matcher matcher = SAMPLE.matcher(exposition);
        while (matcher.find()) {
            if (matcher.group(1).matches("(.*,)?\\s*gpu=\"" + gpu + "\".*")) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return Double.NaN;
    }

    @Override
    public EnergySource source() {
        return EnergySource.DCGM;
    }

    @Override
    public String device() {
        return "gpu" + gpu;
    }

    @Override
    public String deviceKind() {
        return "gpu";
    }

    @Override
    public synchronized double joules() {
        double now = millijoules;
        if (Double.isNaN(now)) {
            return 0;
        }
        if (Double.isNaN(origin)) {
            origin = now;
        }
        return (now - origin) / 1000.0;
    }

    @Override
    public void close() {
        scraper.interrupt();
    }
}
