#!/usr/bin/env bash
# Metric ingestion end to end (trainer -> Kafka -> PostgreSQL): the platform in one JVM, R synthetic runs
# reporting at once, and in the same run the baseline of COPY straight into PostgreSQL.
#   bench/ingestion.sh [runs=200] [events per run=50] [points per event=20] [runs reporting at once=32]
exec "$(dirname "$0")/launcher-main.sh" dev.sparselab.launcher.IngestionThroughput ingestion "$@"
