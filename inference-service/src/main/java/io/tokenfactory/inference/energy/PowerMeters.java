package io.tokenfactory.inference.energy;

import io.tokenfactory.inference.EnergySettings;

/** Picks the meter the settings ask for; a named source that cannot be read stops start-up rather than guess. */
final class PowerMeters {

    private PowerMeters() {
    }

    static PowerMeter choose(EnergySettings settings) {
        return switch (settings.source()) {
            case NVML -> required(NvmlPowerMeter.open(settings.gpuIndex()), "NVML (libnvidia-ml with an energy counter)");
            case DCGM -> required(dcgm(settings), "the DCGM exporter at " + settings.dcgmUrl());
            case RAPL -> required(RaplPowerMeter.open(settings.powercapPath()), "RAPL under " + settings.powercapPath());
            case ESTIMATED -> estimate(settings);
            case AUTO -> firstReadable(settings);
        };
    }

    private static PowerMeter firstReadable(EnergySettings settings) {
        PowerMeter nvml = NvmlPowerMeter.open(settings.gpuIndex());
        if (nvml != null) {
            return nvml;
        }
        PowerMeter dcgm = dcgm(settings);
        if (dcgm != null) {
            return dcgm;
        }
        PowerMeter rapl = RaplPowerMeter.open(settings.powercapPath());
        return rapl != null ? rapl : estimate(settings);
    }

    private static PowerMeter dcgm(EnergySettings settings) {
        if (settings.dcgmUrl() == null) {
            return null;
        }
        DcgmExporterPowerMeter meter = new DcgmExporterPowerMeter(settings.dcgmUrl(), settings.gpuIndex(),
                settings.dcgmScrapeInterval());
        if (meter.readable()) {
            return meter;
        }
        meter.close();
        return null;
    }

    private static PowerMeter estimate(EnergySettings settings) {
        return new EstimatedPowerMeter(settings.idleWatts(), settings.maxWatts());
    }

    private static PowerMeter required(PowerMeter meter, String what) {
        if (meter == null) {
            throw new IllegalStateException("Energy source " + what + " is not readable on this host");
        }
        return meter;
    }
}
