#!/usr/bin/env bash
# Runs a benchmark main class of sparse-core's test sources and keeps its result lines.
#   bench/core-main.sh CLASS NAME [args...]   (NAME: /tmp/sparselab-NAME.txt gets the results; SKIP_BUILD=1: no
#   build; BENCH_JAVA_OPTS: JVM flags, default -Xms2g -Xmx2g -XX:+UseParallelGC with C2 on)
set -euo pipefail
cd "$(dirname "$0")/.."
CLASS=$1; NAME=$2; shift 2
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -pl contracts,sparse-core -am -DskipTests install
  ./mvnw -q -B -pl sparse-core test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="sparse-core/target/test-classes:sparse-core/target/classes:contracts/target/classes:$(cat sparse-core/target/bench.classpath)"
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:--Xms2g -Xmx2g -XX:+UseParallelGC} -Dai.djl.offline=true -cp "$CP" "$CLASS" "$@" \
  2>/dev/null | grep --line-buffered '^RESULT' | tee "/tmp/sparselab-$NAME.txt"
