#!/usr/bin/env bash
# Runs a benchmark main class of the launcher's test sources (the platform in one JVM) and keeps its result lines.
#   bench/launcher-main.sh CLASS NAME [args...]   (NAME: /tmp/sparselab-NAME.log gets the rest; SKIP_BUILD=1: no build;
#   BENCH_JAVA_OPTS: further JVM flags, e.g. a flight recording)
set -euo pipefail
cd "$(dirname "$0")/.."
CLASS=$1; NAME=$2; shift 2
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -DskipTests install
  ./mvnw -q -B -pl launcher test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="launcher/target/test-classes:launcher/target/classes:$(cat launcher/target/bench.classpath)"
# shellcheck disable=SC2086
java -Xms1g -Xmx2g -XX:+UseParallelGC ${BENCH_JAVA_OPTS:-} -Dai.djl.offline=true -cp "$CP" "$CLASS" "$@" \
  2>"/tmp/sparselab-$NAME.log" | grep --line-buffered -E '^(RESULT|EXPLAIN|GENERATED)' | tee "/tmp/sparselab-$NAME.txt"
