#!/usr/bin/env bash
# Queries at lab scale: 10,000 runs and 10 million metric points (generated once into the data folder), then
# p50/p95 over 200 requests each of compare (1,000 runs), the runs list with filters and one downsampled series,
# through the gateway of the platform in one JVM; EXPLAIN ANALYZE of each endpoint's main statement.
#   bench/queries.sh [data folder=/tmp/sparselab-query-bench] [requests=200]
exec "$(dirname "$0")/launcher-main.sh" dev.sparselab.launcher.QueryLatency queries "$@"
