#!/usr/bin/env bash
# Issue 18's training-step benchmark: an mlp 784-W-W-10 at batch 128 with a static random mask, on the sparse engine,
# the masked-dense engine (DJL/libtorch) and plain PyTorch dense (OpenBLAS, 2 threads), one process per configuration
# (peak RSS is the process's), alternating in one run. The masked-dense engine is skipped where it cannot fit in
# memory (W = 32768), PyTorch there unless PYTORCH_WIDE=1 (it holds ~13 GB).
#   bench/sparse-engine-step.sh [widths="4096 32768"] [sparsities="0.9 0.95 0.98 0.99"] [steps=10] [wide_steps=4]
# (wide_steps: steps timed where W > 8192)
set -euo pipefail
cd "$(dirname "$0")/.."
WIDTHS=${1:-"4096 32768"}; SPARSITIES=${2:-"0.9 0.95 0.98 0.99"}; STEPS=${3:-10}; WIDE_STEPS=${4:-4}
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
  ./mvnw -q -B -pl sparse-core test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="sparse-core/target/test-classes:sparse-core/target/classes:contracts/target/classes:$(cat sparse-core/target/bench.classpath)"
OUT=/tmp/sparselab-sparse-engine-step.txt; : > "$OUT"
jvm() { heap=$1; shift; java "$heap" -XX:+UseParallelGC -Dai.djl.offline=true -cp "$CP" \
  dev.sparselab.core.bench.SparseEngineStep "$@" 2>/dev/null \
  | grep --line-buffered '^RESULT' | tee -a "$OUT"; }
for w in $WIDTHS; do
  hidden="$w,$w"; n=$STEPS
  [ "$w" -le 8192 ] || n=$WIDE_STEPS
  if [ "$w" -le 8192 ] || [ -n "${PYTORCH_WIDE:-}" ]; then
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/sparse_step_pytorch.py \
      "$hidden" "$n" 128 2 | tee -a "$OUT"
  fi
  for s in $SPARSITIES; do
    jvm -Xmx16g "$hidden" "$s" sparse "$n"
    if [ "$w" -le 8192 ]; then
      jvm -Xmx2g "$hidden" "$s" dense-masked "$n"
    fi
  done
done
