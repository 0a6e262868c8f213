package io.tokenfactory.inference.energy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import io.tokenfactory.contracts.EnergySource;

/**
 * NVIDIA GPUs of this machine through NVML (the driver's {@code libnvidia-ml}, loaded
 * with JNA): each GPU's total-energy counter, millijoules since the driver loaded, as an
 * unsigned 64-bit number. Counter deltas, not summed power samples, so bursts between
 * readings are not missed.
 */
final class NvmlMeter implements EnergyMeter {

    /**
     * NVML's counter is an unsigned 64-bit count of millijoules. Readings keep it modulo
     * 2^52 mJ (about 143 years at 1 kW), exact in a double; since 2^52 divides 2^64, a
     * wrap of the real counter is a wrap of the kept one.
     */
    private static final long KEPT_BITS = (1L << 52) - 1;
    static final double WRAP_JOULES = (1L << 52) / 1000.0;

    interface Nvml extends Library {

        int nvmlInit_v2();

        int nvmlDeviceGetCount_v2(IntByReference count);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference millijoules);

        int nvmlDeviceGetPowerManagementLimitConstraints(Pointer device, IntByReference minMilliwatts,
                IntByReference maxMilliwatts);

        int nvmlDeviceGetPowerManagementDefaultLimit(Pointer device, IntByReference milliwatts);

        int nvmlDeviceSetPowerManagementLimit(Pointer device, int milliwatts);

    }

    private static final int NVML_SUCCESS = 0;

    private final Nvml nvml;

    private final Map<String, Pointer> devices;

    private final Clock clock;

    private NvmlMeter(Nvml nvml, Map<String, Pointer> devices, Clock clock) {
        this.nvml = nvml;
        this.devices = devices;
        this.clock = clock;
    }

    /** What opening NVML gave: a meter, or why there is none. */
    /**
     * @param library {@code nvidia-ml} (the driver's library, found by JNA) or a path to
     * one
     * @param gpus the GPUs to read; all of them when empty
     */
    static Probe<NvmlMeter> open(String library, List<Integer> gpus, Clock clock) {
        Nvml nvml;
        try {
            nvml = Native.load(library, Nvml.class);
        }
        catch (UnsatisfiedLinkError | RuntimeException absent) {
            return new Probe<>(null, "no NVIDIA driver library (" + library + ") on this machine");
        }
        int status = nvml.nvmlInit_v2();
        if (status != NVML_SUCCESS) {
            return new Probe<>(null, "nvmlInit failed with status " + status);
        }
        List<Integer> indexes = new ArrayList<>(gpus);
        if (indexes.isEmpty()) {
            IntByReference count = new IntByReference();
            status = nvml.nvmlDeviceGetCount_v2(count);
            if (status != NVML_SUCCESS || count.getValue() == 0) {
                return new Probe<>(null, "NVML sees no GPU (status " + status + ")");
            }
            for (int i = 0; i < count.getValue(); i++) {
                indexes.add(i);
            }
        }
        Map<String, Pointer> devices = new LinkedHashMap<>();
        for (int index : indexes) {
            PointerByReference handle = new PointerByReference();
            status = nvml.nvmlDeviceGetHandleByIndex_v2(index, handle);
            if (status != NVML_SUCCESS) {
                return new Probe<>(null, "NVML has no GPU " + index + " (status " + status + ")");
            }
            LongByReference energy = new LongByReference();
            status = nvml.nvmlDeviceGetTotalEnergyConsumption(handle.getValue(), energy);
            if (status != NVML_SUCCESS) {
                return new Probe<>(null, "GPU " + index + " has no energy counter (status " + status
                        + "; NVML counts energy from Volta on)");
            }
            devices.put("gpu" + index, handle.getValue());
        }
        return new Probe<>(new NvmlMeter(nvml, devices, clock), null);
    }

    /**
     * Sets every metered GPU's power limit to an equal share of {@code watts}, within
     * what each GPU allows; {@code null} restores each GPU's default limit. NVML lets
     * only a privileged process do it (usually root).
     * @return per GPU, the limit set in watts, or why it was not
     */
    Map<String, String> limitPower(Double watts) {
        Map<String, String> result = new LinkedHashMap<>();
        for (var device : devices.entrySet()) {
            IntByReference milliwatts = new IntByReference();
            int status;
            if (watts == null) {
                status = nvml.nvmlDeviceGetPowerManagementDefaultLimit(device.getValue(), milliwatts);
            }
            else {
                IntByReference min = new IntByReference();
                IntByReference max = new IntByReference();
                status = nvml.nvmlDeviceGetPowerManagementLimitConstraints(device.getValue(), min, max);
                long share = Math.round(watts * 1000 / devices.size());
                milliwatts.setValue((int) Math.max(min.getValue(), Math.min(max.getValue(), share)));
            }
            if (status == NVML_SUCCESS) {
                status = nvml.nvmlDeviceSetPowerManagementLimit(device.getValue(), milliwatts.getValue());
            }
            result.put(device.getKey(), status == NVML_SUCCESS ? milliwatts.getValue() / 1000.0 + " W"
                    : "not set: NVML status " + status + (status == 4 ? " (no permission: needs root)" : ""));
        }
        return result;
    }

    @Override
    public EnergySource source(MeterReading.Kind kind) {
        return EnergySource.NVML;
    }

    @Override
    public String device() {
        return String.join(",", devices.keySet());
    }

    @Override
    public String deviceKind() {
        return "gpu";
    }

    @Override
    public int accelerators() {
        return devices.size();
    }

    @Override
    public boolean continuable() {
        return true;
    }

    @Override
    public MeterReading read() {
        Map<String, Double> values = new LinkedHashMap<>();
        for (var device : devices.entrySet()) {
            LongByReference energy = new LongByReference();
            int status = nvml.nvmlDeviceGetTotalEnergyConsumption(device.getValue(), energy);
            if (status != NVML_SUCCESS) {
                throw new MeterUnreadable("NVML energy read of " + device.getKey() + " failed with status " + status);
            }
            values.put(device.getKey(), (energy.getValue() & KEPT_BITS) / 1000.0);
        }
        return new MeterReading(clock.instant(), MeterReading.Kind.COUNTER, values);
    }

    @Override
    public Delta between(MeterReading earlier, MeterReading later) {
        return Delta.between(earlier, later, series -> WRAP_JOULES);
    }

}
