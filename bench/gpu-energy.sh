#!/usr/bin/env bash
# Energy through the project's NVML meter (what inference-service reads for `energy.source: nvml`) beside
# nvidia-smi's own figure for the same GPUs over the same seconds: first idle, then under load, with their ratio.
#
#   bench/gpu-energy.sh [idle seconds] [load seconds]     (defaults 20 and 60; needs an NVIDIA GPU, its driver,
#                                                          nvidia-smi and a JDK 17+)
#
# The reference is `nvidia-smi --query-gpu=total_energy_consumption` where this driver's nvidia-smi has that field,
# otherwise nvidia-smi's power.draw sampled every 100 ms and integrated (the table says which).
#
# The load, first found of:
#   GPU_ENERGY_LOAD     a command of your own that loads the GPUs until it is stopped (a vLLM benchmark client, ...)
#   PyTorch with CUDA   python3 multiplying 8192x8192 matrices in a loop
#   nvcc                a small CUDA kernel of fused multiply-adds, compiled here
# Without any, only the idle phase is measured and the table says so.
#
# GPU_ENERGY_CLASSPATH: inference-service's runtime classpath, where this machine has no Maven (a GPU node):
# build it elsewhere with `./mvnw -pl inference-service -am install -DskipTests` and
# `./mvnw -pl inference-service dependency:build-classpath`. Writes bench/results/gpu-energy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-20}
load_seconds=${2:-60}

command -v nvidia-smi >/dev/null || { echo "gpu-energy: no nvidia-smi here; this benchmark needs an NVIDIA GPU." >&2; exit 2; }
command -v java >/dev/null || { echo "gpu-energy: no java here; a JDK 17+ is needed." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "${GPU_ENERGY_CLASSPATH:-}" ]; then
  classpath=$GPU_ENERGY_CLASSPATH
else
  ls inference-service/target/classes/io/tokenfactory/inference/energy/NvmlMeter.class >/dev/null 2>&1 \
    || ./mvnw -q -B -pl inference-service -am install -DskipTests
  ./mvnw -q -B -pl inference-service dependency:build-classpath -Dmdep.outputFile="$work/classpath" > /dev/null
  classpath="inference-service/target/classes:$(cat "$work/classpath")"
fi

load=${GPU_ENERGY_LOAD:-}
if [ -z "$load" ] && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  load="python3 -c 'import torch
devices = [torch.device(\"cuda\", i) for i in range(torch.cuda.device_count())]
pairs = [(torch.randn(8192, 8192, device=d), torch.randn(8192, 8192, device=d)) for d in devices]
while True:
    for a, b in pairs:
        a @ b
    torch.cuda.synchronize()'"
fi
if [ -z "$load" ] && command -v nvcc >/dev/null; then
  cat > "$work/burn.cu" <<'CUDA'
#include <cstdio>
__global__ void burn(float *out, int steps) {
  float a = threadIdx.x, b = blockIdx.x;
  for (int i = 0; i < steps; i++) { a = fmaf(a, 0.9999f, b); b = fmaf(b, 0.9999f, a); }
  out[blockIdx.x * blockDim.x + threadIdx.x] = a + b;
}
int main() {
  int gpus = 0; cudaGetDeviceCount(&gpus);
  float *out[16];
  for (int g = 0; g < gpus && g < 16; g++) { cudaSetDevice(g); cudaMalloc(&out[g], 4096 * 1024 * sizeof(float)); }
  for (;;) {
    for (int g = 0; g < gpus && g < 16; g++) { cudaSetDevice(g); burn<<<4096, 1024>>>(out[g], 1 << 16); }
    for (int g = 0; g < gpus && g < 16; g++) { cudaSetDevice(g); cudaDeviceSynchronize(); }
  }
}
CUDA
  nvcc -O2 -o "$work/burn" "$work/burn.cu" && load="$work/burn"
fi

mkdir -p bench/results
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" bench/GpuEnergyBenchmark.java \
  "$idle" "$load_seconds" bench/results/gpu-energy.md "$load"
