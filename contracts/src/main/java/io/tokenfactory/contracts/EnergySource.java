package io.tokenfactory.contracts;

/** Where an energy figure came from, from most to least direct. */
public enum EnergySource {
    /** NVIDIA Management Library energy counter of a GPU. */
    NVML,
    /** Intel/AMD running average power limit counters of a CPU package. */
    RAPL,
    /** Reported by a remote inference server. */
    REPORTED,
    /** Modelled from time and a nominal power, when no counter is readable. */
    ESTIMATED
}
