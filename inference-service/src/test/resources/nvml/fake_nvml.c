/*
 * A fake libnvidia-ml for tests: the NVML calls Token Factory's meter makes, over two GPUs whose energy
 * counters (unsigned 64-bit millijoules) the test sets through fake_* calls, and whose power limits (100 to
 * 700 W, 700 W by default) it reads back. Built with gcc by the test.
 */
#include <stdint.h>

typedef void *nvmlDevice_t;

static unsigned long long energy[2];
static int supported = 1;
static unsigned int limit[2] = { 700000, 700000 };

int nvmlInit_v2(void) { return 0; }

int nvmlDeviceGetCount_v2(unsigned int *count) {
    *count = 2;
    return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (index >= 2) {
        return 2; /* NVML_ERROR_INVALID_ARGUMENT */
    }
    *device = (nvmlDevice_t) (uintptr_t) (index + 1);
    return 0;
}

int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *millijoules) {
    if (!supported) {
        return 3; /* NVML_ERROR_NOT_SUPPORTED: before Volta */
    }
    *millijoules = energy[(uintptr_t) device - 1];
    return 0;
}

void fake_set_energy(int gpu, unsigned long long millijoules) { energy[gpu] = millijoules; }

void fake_set_supported(int value) { supported = value; }

int nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device, unsigned int *min, unsigned int *max) {
    *min = 100000;
    *max = 700000;
    return 0;
}

int nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t device, unsigned int *milliwatts) {
    *milliwatts = 700000;
    return 0;
}

int nvmlDeviceSetPowerManagementLimit(nvmlDevice_t device, unsigned int milliwatts) {
    limit[(uintptr_t) device - 1] = milliwatts;
    return 0;
}

unsigned int fake_power_limit(int gpu) { return limit[gpu]; }
