#!/usr/bin/env bash
# Masking and mask-update overhead: training throughput of sparse methods against dense on the same model
# (LeNet-300-100, Fashion-MNIST, batch 128, sparsity 0.9, each method's defaults), run alternately
# (dense, set, rigl, dense, set, rigl, ...) in fresh JVMs with SparseLab's JVM flags.
#   bench/method-overhead.sh [rounds=2] [epochs=3] [methods="dense set rigl"]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}; EPOCHS=${2:-3}; METHODS=${3:-"dense set rigl"}
DATASETS=${SPARSELAB_DATASETS_DIR:-/usr/share/datasets}
./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
./mvnw -q -B -pl sparse-core dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="sparse-core/target/test-classes:sparse-core/target/classes:$(cat sparse-core/target/bench.classpath)"
FLAGS=${JVM_FLAGS:-"-Xms3g -Xmx3g -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"}
for i in $(seq "$ROUNDS"); do
  for m in $METHODS; do
    # shellcheck disable=SC2086
    java $FLAGS -Dai.djl.offline=true -cp "$CP" dev.sparselab.core.bench.TrainingThroughput "$EPOCHS" "$m" "$DATASETS" \
      2>/dev/null | grep '^RESULT'
  done
done | tee /tmp/sparselab-overhead.txt
awk '{ for (i = 1; i <= NF; i++) { if ($i ~ /^method=/) { split($i, a, "="); m = a[2] }
       if ($i ~ /^samples_per_second_after_warmup=/) { split($i, b, "="); s[m] += b[2]; n[m]++ } } }
     END { d = s["dense"] / n["dense"];
           for (m in s) printf "%-10s %8.0f samples/s  %6.1f steps/s  ratio to dense %.2f\n", m, s[m] / n[m], s[m] / n[m] / 128, (s[m] / n[m]) / d }' \
  /tmp/sparselab-overhead.txt
