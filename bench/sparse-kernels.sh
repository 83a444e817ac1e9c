#!/usr/bin/env bash
# The sparse engine's kernels (issue 18) against the masked-dense engine's GEMMs through DJL, one linear layer's
# training-step compute, alternating in one JVM (C2 on: the kernels rely on the JIT's SIMD).
#   bench/sparse-kernels.sh [out=4096] [in=4096] [batch=128] [sparsities=0.9,0.95,0.98,0.99] [reps=20]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
  ./mvnw -q -B -pl sparse-core test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="sparse-core/target/test-classes:sparse-core/target/classes:contracts/target/classes:$(cat sparse-core/target/bench.classpath)"
java -Xms2g -Xmx2g -XX:+UseParallelGC -Dai.djl.offline=true -cp "$CP" dev.sparselab.core.bench.SparseKernelThroughput "$@" \
  2>/dev/null | grep --line-buffered '^RESULT' | tee /tmp/sparselab-sparse-kernels.txt
