#!/usr/bin/env bash
# Training throughput of LeNet-300-100 on Fashion-MNIST (CPU), default JVM flags vs SparseLab's flags,
# run alternately (A B A B ...) so that noise from other load on this shared machine hits both alike.
#   bench/training-throughput.sh [rounds=2] [epochs=3] [method=dense|random|magnitude]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}; EPOCHS=${2:-3}; METHOD=${3:-dense}
DATASETS=${SPARSELAB_DATASETS_DIR:-/usr/share/datasets}
./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
./mvnw -q -B -pl sparse-core dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="sparse-core/target/test-classes:sparse-core/target/classes:$(cat sparse-core/target/bench.classpath)"
BASE=${BASELINE_FLAGS:-""}
TUNED=${TUNED_FLAGS:-"-Xms3g -Xmx3g -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"}
run() { # $1 = label, $2 = flags
  # shellcheck disable=SC2086
  java $2 -Dai.djl.offline=true -cp "$CP" dev.sparselab.core.bench.TrainingThroughput "$EPOCHS" "$METHOD" "$DATASETS" \
    2>/dev/null | sed -n 's/^RESULT /'"$1"' /p'
}
echo "baseline flags: '${BASE:-<JVM defaults>}'"
echo "tuned flags:    '$TUNED'"
for i in $(seq "$ROUNDS"); do
  run baseline "$BASE"
  run tuned "$TUNED"
done | tee /tmp/sparselab-bench.txt
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^samples_per_second_after_warmup=/) { split($i, kv, "="); s[$1] += kv[2]; n[$1]++ } }
     END { b = s["baseline"] / n["baseline"]; t = s["tuned"] / n["tuned"];
           printf "mean samples/s: baseline %.0f, tuned %.0f, ratio tuned/baseline %.2f\n", b, t, t / b }' /tmp/sparselab-bench.txt
