#!/usr/bin/env bash
# The evaluator's latency of one Linear layer: dense (DJL), PyTorch COO, the CSR kernel it used before and the sparse
# engine's kernel it uses now, at batch 1 and 256, in one JVM (C2 on, as the evaluator's flags allow: see README).
#   bench/latency-kernels.sh [out=300] [in=784] [sparsities=0.9,0.99]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
  ./mvnw -q -B -pl sparse-core test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="sparse-core/target/test-classes:sparse-core/target/classes:contracts/target/classes:$(cat sparse-core/target/bench.classpath)"
java ${BENCH_JAVA_OPTS:-} -Dai.djl.offline=true -cp "$CP" dev.sparselab.core.eval.LatencyKernels "$@" \
  2>/dev/null | grep --line-buffered '^RESULT' | tee /tmp/sparselab-latency-kernels.txt
