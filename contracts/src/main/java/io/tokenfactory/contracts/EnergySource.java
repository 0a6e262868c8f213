package io.tokenfactory.contracts;

/** Where an energy figure came from, from most to least direct. */
public enum EnergySource {
    /** NVIDIA Management Library energy counter of a GPU. */
    NVML,
    /** The same GPU counter, scraped from NVIDIA's DCGM exporter. */
    DCGM,
    /** Intel/AMD running average power limit counters of a CPU package. */
    RAPL,
    /** Reported by a remote inference server. */
    REPORTED,
    /** Modelled from time and a nominal power, when no counter is readable. */
    ESTIMATED,
    /** No energy figure at all: a remote server that reports none; its joules are zero and must not be read as such. */
    NONE
}
