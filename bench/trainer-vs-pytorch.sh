#!/usr/bin/env bash
# SparseLab's trainer against a plain PyTorch eager loop (bench/pytorch_loops.py) on the same model, data, batch,
# optimizer and thread count, alternating fresh processes (pytorch, sparselab, pytorch, ...) so that the noise of
# this shared machine hits both alike; prints the ratio per model.
#   bench/trainer-vs-pytorch.sh [rounds=2] [models="lenet300 wide lenet5"]
# Needs Debian's python3-torch and libopenblas0-pthread (without the latter PyTorch falls back to the reference
# BLAS, ~20x slower, which would flatter us). PyTorch runs with OpenBLAS's own CPU detection and one BLAS thread,
# two torch threads; the trainer with its default two intra-op threads and SparseLab's trainer JVM flags.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}; MODELS=${2:-"lenet300 wide lenet5"}
DATASETS=${SPARSELAB_DATASETS_DIR:-/usr/share/datasets}
./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
./mvnw -q -B -pl sparse-core dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="sparse-core/target/test-classes:sparse-core/target/classes:$(cat sparse-core/target/bench.classpath)"
FLAGS=${JVM_FLAGS:-"-Xms3g -Xmx3g -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"}
# per model: epochs (the first warms up) and a training subset that keeps a round to about a minute here
args() {
  case "$1" in
    lenet300) echo "3 60000" ;;
    wide) echo "2 8192" ;;
    lenet5) echo "2 20000" ;;
  esac
}
for i in $(seq "$ROUNDS"); do
  for m in $MODELS; do
    read -r epochs subset <<<"$(args "$m")"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 bench/pytorch_loops.py --model "$m" --epochs "$epochs" --subset "$subset" \
      --datasets "$DATASETS" | grep '^RESULT'
    # shellcheck disable=SC2086
    java $FLAGS -Dai.djl.offline=true -cp "$CP" dev.sparselab.core.bench.TrainingThroughput "$epochs" dense \
      "$DATASETS" "$m" "" "$subset" 2>/dev/null | grep '^RESULT'
  done
done | tee /tmp/sparselab-vs-pytorch.txt
awk '{ impl = ""; model = ""; v = 0
       for (i = 1; i <= NF; i++) { split($i, kv, "=")
         if (kv[1] == "impl") impl = (kv[2] == "sparselab") ? "sparselab" : "pytorch"
         if (kv[1] == "model") model = kv[2]
         if (kv[1] == "samples_per_second_after_warmup") v = kv[2] }
       s[model, impl] += v; n[model, impl]++; models[model] = 1 }
     END { printf "%-9s %12s %12s %7s\n", "model", "pytorch", "sparselab", "ratio"
           for (m in models) { p = s[m, "pytorch"] / n[m, "pytorch"]; t = s[m, "sparselab"] / n[m, "sparselab"]
             printf "%-9s %12.0f %12.0f %6.2fx\n", m, p, t, t / p } }' /tmp/sparselab-vs-pytorch.txt
