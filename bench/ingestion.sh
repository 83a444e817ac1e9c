#!/usr/bin/env bash
# Metric ingestion end to end (trainer -> Kafka -> PostgreSQL): the platform in one JVM, R synthetic runs
# reporting at once, and in the same run the baseline of COPY straight into PostgreSQL.
#   bench/ingestion.sh [runs=200] [events per run=50] [points per event=20] [runs reporting at once=32]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -DskipTests install
  ./mvnw -q -B -pl launcher test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test
fi
CP="launcher/target/test-classes:launcher/target/classes:$(cat launcher/target/bench.classpath)"
java -Xms1g -Xmx2g -XX:+UseParallelGC -Dai.djl.offline=true -cp "$CP" dev.sparselab.launcher.IngestionThroughput "$@" \
  2>/tmp/sparselab-ingestion.log | grep --line-buffered '^RESULT' | tee /tmp/sparselab-ingestion.txt
