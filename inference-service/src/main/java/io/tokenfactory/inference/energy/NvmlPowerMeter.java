package io.tokenfactory.inference.energy;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import io.tokenfactory.contracts.EnergySource;

/**
 * NVIDIA GPUs through NVML (loaded with JNA from the driver's {@code libnvidia-ml}): the device's total-energy counter
 * in millijoules. Counter deltas, not summed power samples, so short bursts between samples are not missed.
 */
final class NvmlPowerMeter implements PowerMeter {

    interface Nvml extends Library {
        int nvmlInit_v2();

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference millijoules);
    }

    private static final int NVML_SUCCESS = 0;

    private final Nvml nvml;
    private final Pointer device;
    private final int index;
    private final long origin;

    private NvmlPowerMeter(Nvml nvml, Pointer device, int index, long origin) {
        this.nvml = nvml;
        this.device = device;
        this.index = index;
        this.origin = origin;
    }

    /** The GPU at {@code index}, or null when NVML is absent or the GPU has no energy counter (pre-Volta). */
    static NvmlPowerMeter open(int index) {
        try {
            Nvml nvml = Native.load("nvidia-ml", Nvml.class);
            if (nvml.nvmlInit_v2() != NVML_SUCCESS) {
                return null;
            }
            PointerByReference handle = new PointerByReference();
            if (nvml.nvmlDeviceGetHandleByIndex_v2(index, handle) != NVML_SUCCESS) {
                return null;
            }
            LongByReference energy = new LongByReference();
            if (nvml.nvmlDeviceGetTotalEnergyConsumption(handle.getValue(), energy) != NVML_SUCCESS) {
                return null;
            }
            return new NvmlPowerMeter(nvml, handle.getValue(), index, energy.getValue());
        } catch (UnsatisfiedLinkError | RuntimeException absent) {
            return null;
        }
    }

    @Override
    public EnergySource source() {
        return EnergySource.NVML;
    }

    @Override
    public String device() {
        return "gpu" + index;
    }

    @Override
    public String deviceKind() {
        return "gpu";
    }

    @Override
    public synchronized double joules() {
        LongByReference energy = new LongByReference();
        int status = nvml.nvmlDeviceGetTotalEnergyConsumption(device, energy);
        if (status != NVML_SUCCESS) {
            throw new IllegalStateException("NVML energy read failed with status " + status);
        }
        return (energy.getValue() - origin) / 1000.0;
    }
}
