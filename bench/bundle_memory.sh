#!/usr/bin/env bash
# Peak resident memory of `opendraw serve` while it sends the bundle
# of a revealed task, for pools of several sizes (SIZES, default 1 M and 3 M
# targets). Beside it, in the same run, a fresh server sending the pool's
# targets.tsv through /files/ (also sent from its stored pieces). Each figure is a
# fresh server's VmHWM after one download. Needs python3 and curl; results go
# to BENCHMARKS.md. On SQLite by default; with POSTGRES set to a server's
# URL (postgres://postgres@127.0.0.1:5432), on a new database there per size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/opendraw
port=18191
base=http://127.0.0.1:$port
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

start() {
  RUST_LOG=warn "$bin" serve --database-url "$db" --bind 127.0.0.1:$port --public-dir /nonexistent &
  server=$!
  for _ in $(seq 100); do curl -sf $base/api/public/log/head > /dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2
  exit 1
}

stop() {
  kill $server
  wait $server 2>/dev/null || true
  server=
}

peak_kib() { awk '/^VmHWM/ {print $2}' /proc/$server/status; }

# Downloads $1 from a fresh server; prints the bytes, the seconds and the peak.
measure() {
  start
  local idle result
  idle=$(peak_kib)
  result=$(curl -sf -o /dev/null -w '%{size_download} %{time_total}' "$base$1")
  echo "$result $(( idle / 1024 )) $(( $(peak_kib) / 1024 ))"
  stop
}

printf '| targets | download | bytes | seconds | idle peak (MiB) | peak after (MiB) |\n| ---: | --- | ---: | ---: | ---: | ---: |\n'
for size in ${SIZES:-1000000 3000000}; do
  if [ -n "${POSTGRES:-}" ]; then
    db="$POSTGRES/opendraw_bundle_$size"
    psql -q "$POSTGRES/postgres" -c "DROP DATABASE IF EXISTS opendraw_bundle_$size" -c "CREATE DATABASE opendraw_bundle_$size"
  else
    db="sqlite:$work/$size.db"
  fi
  python3 - "$work" "$size" <<'EOF'
import sys
work, size = sys.argv[1], int(sys.argv[2])
with open(f"{work}/targets.csv", "w") as f:
    f.write("id,name,region,industry,risk_class,unit\n")
    for i in range(size):
        mixed = (i * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF) >> 32
        region = mixed % 30 + 1
        f.write(f"91{i * 7 + 3:016},单位{i},3201{region:02},餐饮服务,{'ABCD'[(mixed >> 16) % 4]},3201{region:02}-market\n")
with open(f"{work}/inspectors.csv", "w") as f:
    f.write("id,name,department,unit,region,items,certificate_expires\n")
    for i in range(200):
        region = i * 7919 % 30 + 1
        f.write(f"E{i:06},检查员{i},market,3201{region:02}-market,3201{region:02},FOOD-01,2028-12-31\n")
with open(f"{work}/items.csv", "w") as f:
    f.write("code,name,department\nFOOD-01,食品经营检查,market\n")
EOF
  for kind in items inspectors targets; do "$bin" import "$kind" "$work/$kind.csv" --database-url "$db" > /dev/null; done
  token=$("$bin" user add "bench-$size" --role supervisor --department market --database-url "$db" 2> /dev/null)
  start
  event=$(date -d '+30 seconds' '+%Y-%m-%dT%H:%M:%S%:z')
  task=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' $base/api/tasks -d '{
    "name": "bench", "items": ["FOOD-01"], "strata_by": ["region"], "quota": {"count": 3},
    "certificate_date": "2026-12-01",
    "entropy": {"format": "dice", "source": "bench", "min_length": 20, "event_at": "'"$event"'"}}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  act() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$base/api/tasks/$task/$1" -d "$2" > /dev/null; }
  act commit '{}'
  while [ "$(date +%s)" -le "$(date -d "$event" +%s)" ]; do sleep 1; done
  act draw '{"entropy": "31415326535641526354"}'
  act reveal '{}'
  stop
  read -r bytes seconds idle peak < <(measure "/api/public/tasks/$task/bundle.tar")
  echo "| $size | bundle.tar | $bytes | $seconds | $idle | $peak |"
  read -r bytes seconds idle peak < <(measure "/api/public/tasks/$task/files/targets.tsv")
  echo "| $size | files/targets.tsv | $bytes | $seconds | $idle | $peak |"
  rm -f "$work/$size.db"*
  if [ -n "${POSTGRES:-}" ]; then psql -q "$POSTGRES/postgres" -c "DROP DATABASE opendraw_bundle_$size"; fi
done
