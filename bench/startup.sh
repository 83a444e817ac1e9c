#!/usr/bin/env bash
# Start-up and idle footprint of `./sparselab up` on a built tree: seconds from the command to a healthy gateway
# (GET /actuator/health answers UP), then the resident memory of the platform's JVM after IDLE seconds idle.
# Alternates `./sparselab up` with the baseline, the way it started before issue 17 (the Spring Boot jar itself,
# BASELINE_FLAGS: a 3 GB pre-touched heap), in fresh processes over one data folder.
#   bench/startup.sh [rounds=2] [idle seconds=30]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}; IDLE=${2:-30}
BASELINE=${BASELINE_FLAGS:-"-Xms3g -Xmx3g -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"}
PORT=${PORT:-18080}
DATA=$(mktemp -d /tmp/sparselab-startup.XXXXXX)
ARGS=(--port "$PORT" --kafka-port 19392 --postgres-port 15732 --data-dir "$DATA")
./sparselab --help >/dev/null 2>&1 || true # builds the tree if it is stale (not timed)
one() { # $1 label, then the command
  local label=$1 t0 pid rss up; shift
  t0=$(date +%s.%N)
  "$@" >"$DATA/$label.log" 2>&1 &
  pid=$!
  until curl -fsS "http://localhost:$PORT/actuator/health" 2>/dev/null | grep -q UP; do
    kill -0 "$pid" 2>/dev/null || { echo "$label: the platform exited; see $DATA/$label.log" >&2; exit 1; }
    sleep 0.1
  done
  up=$(echo "$(date +%s.%N) - $t0" | bc)
  sleep "$IDLE"
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  echo "RESULT $label seconds_to_healthy=$up idle_rss_mb_after_${IDLE}s=$rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
# the first start creates the database and Kafka's logs and (after a build) the class-data archive: not measured
one warm-up ./sparselab up "${ARGS[@]}" >/dev/null
for i in $(seq "$ROUNDS"); do
  # shellcheck disable=SC2086
  one baseline env ONEDNN_MAX_CPU_ISA=AVX2 java $BASELINE -Dai.djl.offline=true \
    -jar launcher/target/launcher-0.1.0-SNAPSHOT-exec.jar up "${ARGS[@]}"
  one sparselab ./sparselab up "${ARGS[@]}"
done | tee /tmp/sparselab-startup.txt
rm -rf "$DATA"
