#!/usr/bin/env bash
# Queries at lab scale: 10,000 runs and 10 million metric points (generated once into the data folder), then
# p50/p95 over 200 requests each of compare (1,000 runs), the runs list with filters and one downsampled series,
# through the gateway of the platform in one JVM; EXPLAIN ANALYZE of each endpoint's main statement.
#   bench/queries.sh [data folder=/tmp/sparselab-query-bench] [requests=200]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -DskipTests install
  ./mvnw -q -B -pl launcher test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="launcher/target/test-classes:launcher/target/classes:$(cat launcher/target/bench.classpath)"
java -Xms1g -Xmx2g -XX:+UseParallelGC -Dai.djl.offline=true -cp "$CP" dev.sparselab.launcher.QueryLatency "$@" \
  2>/tmp/sparselab-queries.log | grep --line-buffered -E '^(RESULT|EXPLAIN|GENERATED)' | tee /tmp/sparselab-queries.txt
