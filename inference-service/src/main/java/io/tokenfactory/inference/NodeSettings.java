package io.tokenfactory.inference;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One accelerator node of the factory and how it is metered
 * ({@code tokenfactory.nodes[]}). Checked as a whole at start-up by
 * {@link NodeDeclarations}, which names the node and the problem in one line.
 *
 * @param name unique in the factory; every usage record and power window names it
 * @param nodeClass the class billing prices its accelerator time at (its capacity rates);
 * null: billing's own assignment of the node, else {@code default}
 * @param energy how the node's energy is read
 * @param site the site (data centre, hall) the node is in: a power cap on the site covers
 * it; null when none
 */
public record NodeSettings(String name, String nodeClass, @DefaultValue MeterSettings energy, String site) {

    /**
     * @param source {@code nvml}, {@code dcgm}, {@code kepler}, {@code rapl},
     * {@code estimated}, {@code none}, or {@code auto} (the node this service runs on
     * only: NVML, else RAPL, else the estimate, with a warning)
     * @param url the exporter's Prometheus endpoint ({@code dcgm}, {@code kepler})
     * @param gpus which GPUs of the node serve Token Factory (NVML, DCGM, Kepler GPU
     * counters); all when empty
     * @param interval the metering window: the node's energy is read and split across
     * requests this often
     * @param pods Kepler only: a regular expression over {@code pod_name}; when set the
     * serving engine's container counters are read instead of the whole node's
     * @param powercapPath RAPL only: where Linux exposes the counters
     * @param idleWatts the estimate's power at zero utilisation
     * @param maxWatts the estimate's power at full utilisation
     */
    public record MeterSettings(@DefaultValue("auto") String source, URI url, @DefaultValue List<Integer> gpus,
            @DefaultValue("1s") Duration interval, String pods, @DefaultValue("/sys/class/powercap") Path powercapPath,
            @DefaultValue("10") double idleWatts, @DefaultValue("65") double maxWatts) {

        /**
         * What a node declared without an {@code energy} section gets: the defaults
         * above.
         */
        static MeterSettings automatic() {
            return new MeterSettings("auto", null, List.of(), Duration.ofSeconds(1), null,
                    Path.of("/sys/class/powercap"), 10, 65);
        }
    }
}
