#!/usr/bin/env bash
# The trainer's memory over a long run: LeNet-300-100 on Fashion-MNIST for 100 epochs (dense and RigL, which
# rebuilds masks), with the trainer's flags; prints the process's resident memory after every epoch and its
# growth from epoch 10 to the end (a native leak of DJL tensors shows as growth).
#   bench/trainer-memory.sh [epochs=100] [methods="dense rigl"]
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-100}; METHODS=${2:-"dense rigl"}
DATASETS=${SPARSELAB_DATASETS_DIR:-/usr/share/datasets}
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
  ./mvnw -q -B -pl sparse-core test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="sparse-core/target/test-classes:sparse-core/target/classes:contracts/target/classes:$(cat sparse-core/target/bench.classpath)"
FLAGS=${TRAINER_FLAGS:-"-Xms256m -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"}
for m in $METHODS; do
  # shellcheck disable=SC2086
  java $FLAGS -Dai.djl.offline=true -cp "$CP" dev.sparselab.core.bench.TrainingThroughput "$EPOCHS" "$m" "$DATASETS" \
    2>/dev/null | grep --line-buffered -E '^(RESULT|MEMORY)'
done | tee /tmp/sparselab-trainer-memory.txt
