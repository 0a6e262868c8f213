package io.tokenfactory.contracts;

/**
 * Where an energy figure came from, from most to least direct. Every energy,
 * tokens-per-joule and energy-cost figure carries one (or a mix of them), so a measured
 * joule is never read as an estimated one or the other way round.
 */
public enum EnergySource {

    /** NVIDIA Management Library energy counter of a GPU, read on the node itself. */
    NVML("measured (NVML)"),
    /**
     * The same GPU counter ({@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION}), scraped from
     * NVIDIA's DCGM exporter.
     */
    DCGM("measured (DCGM)"),
    /**
     * DCGM's power gauge ({@code DCGM_FI_DEV_POWER_USAGE}) integrated over time, where
     * the exporter has no counter.
     */
    DCGM_POWER("integrated power (DCGM)"),
    /** Kepler's per-node (or per-container) energy counters on Kubernetes. */
    KEPLER("measured (Kepler)"),
    /** Intel/AMD running average power limit counters of a CPU package. */
    RAPL("measured (RAPL)"),
    /** Reported by a remote inference server. */
    REPORTED("reported by the engine"),
    /**
     * Modelled from this process's CPU time and a nominal power, when no counter is
     * readable.
     */
    ESTIMATED("estimated"),
    /**
     * No energy figure at all (a node without a meter, or a span without readings): never
     * read as zero joules.
     */
    NONE("no energy measured");

    private final String label;

    EnergySource(String label) {
        this.label = label;
    }

    /**
     * How statements, reports and the console name it, for example
     * {@code measured (DCGM)}.
     */
    public String label() {
        return label;
    }

    /**
     * True for figures read from a counter or gauge; false for estimates and missing
     * figures.
     */
    public boolean measured() {
        return this != ESTIMATED && this != NONE;
    }

}
