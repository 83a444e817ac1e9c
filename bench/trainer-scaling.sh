#!/usr/bin/env bash
# Run throughput against the number of trainer processes (and the partitions of the run queue):
# for each "trainers:partitions" pair, starts a fresh platform with `up --trainers N --partitions P`,
# submits one sweep of RUNS small runs and reports runs completed per minute (submit -> last SUCCEEDED).
# usage: bench/trainer-scaling.sh [RUNS] [PAIRS...]     e.g. bench/trainer-scaling.sh 24 1:4 2:4 2:1
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-24}; shift || true
PAIRS=("${@:-1:4 2:4 2:1}")
[ ${#PAIRS[@]} -eq 1 ] && read -r -a PAIRS <<< "${PAIRS[0]}"
JAR=launcher/target/launcher-0.1.0-SNAPSHOT-exec.jar
[ -f "$JAR" ] || ./mvnw -q -B -DskipTests install
PORT=8093; PG=15535; KAFKA=19195
for pair in "${PAIRS[@]}"; do
  n=${pair%%:*}; p=${pair##*:}
  dir=$(mktemp -d)
  java -Xms1g -Xmx1g -XX:TieredStopAtLevel=1 -Dai.djl.offline=true -jar "$JAR" up --port $PORT --kafka-port $KAFKA \
    --postgres-port $PG --data-dir "$dir" --trainers "$n" --partitions "$p" > "$dir/launcher.log" 2>&1 &
  pid=$!
  # wait for the trainers to register
  for _ in $(seq 1 240); do
    live=$(psql -h localhost -p $PG -U postgres -tAc "select count(*) from trainers" 2>/dev/null || echo 0)
    [ "${live:-0}" -ge "$n" ] && break; sleep 1
  done
  seeds=$(python3 -c "print(list(range(1, $RUNS + 1)))")
  start=$(date +%s.%N)
  exp=$(curl -s -X POST localhost:$PORT/api/v1/experiments -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $(cat "$dir/admin-token")" -d "{
    \"name\": \"scaling $n:$p\", \"dataset\": {\"name\": \"synthetic\"},
    \"model\": {\"type\": \"mlp\", \"hidden\": [256, 128]}, \"training\": {\"epochs\": 3, \"batchSize\": 64},
    \"sparsity\": {\"method\": \"rigl\", \"target\": 0.9}, \"sweep\": {\"seeds\": $seeds}}" \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
  while :; do
    done_=$(psql -h localhost -p $PG -U postgres -tAc \
      "select count(*) from runs where experiment_id = '$exp' and status in ('SUCCEEDED','FAILED','CANCELLED')")
    [ "$done_" -ge "$RUNS" ] && break; sleep 0.5
  done
  end=$(date +%s.%N)
  by=$(psql -h localhost -p $PG -U postgres -tAc \
    "select string_agg(trainer || '=' || c, ' ') from (select trainer, count(*) c from runs where experiment_id = '$exp' group by trainer) t")
  python3 -c "print(f'trainers {$n}, partitions {$p}: {$RUNS} runs in {$end - $start:.1f} s = {$RUNS * 60 / ($end - $start):.1f} runs/min  ($by)')"
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
done
