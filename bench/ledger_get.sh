#!/usr/bin/env bash
# The ledger's answer times and the server's peak memory: starts
# `opendraw serve` on DATABASE_URL, then times (median of RUNS) the first
# page of `GET /api/ledger`, a page deep into it (the `next` of a page of
# 1 000 lines, followed PAGES times), a filtered page, and the floor
# (`/api/public/log/head`) in the same run, each with the server's CPU time
# a request; then the whole CSV, with the server's peak resident memory
# (VmHWM) before and after it.
#
#   TOKEN=<a market supervisor's token> bench/ledger_get.sh DATABASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?a database URL}
token=${TOKEN:?the token of a supervisor of the department}
runs=${RUNS:-7}
pages=${PAGES:-50}
port=${PORT:-18183}
RUST_LOG=error ./target/release/opendraw serve --database-url "$url" --bind "127.0.0.1:$port" --public-dir /nonexistent &
server=$!
trap 'kill $server' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 300); do curl -sf "$base/api/public/log/head" > /dev/null && break; sleep 0.1; done
get() { curl -sf -H "Authorization: Bearer $token" "$base$1"; }
# The server's CPU time so far (user and system), in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
# The median time of `runs` requests for a path, in milliseconds, its
# size, and the server's CPU time per request (which a loaded machine
# stretches less than the wall time).
median() {
    local before; before=$(ticks)
    for _ in $(seq "$runs"); do
        curl -sf -o /dev/null -H "Authorization: Bearer $token" -w '%{time_total} %{size_download}\n' "$base$1"
    done | sort -n | awk '{ t[NR] = $1; s = $2 } END { printf "%.1f ms (%d bytes)", t[int((NR + 1) / 2)] * 1000, s }'
    local hz; hz=$(getconf CLK_TCK)
    echo " server CPU $(( ($(ticks) - before) * 1000 / hz / runs )) ms a request"
}
peak() { awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$server/status"; }
# The first request after the start makes the counts of every task
# (src/service/ledger/counts.rs); later ones add up what is kept.
cold=$(curl -sf -o /dev/null -H "Authorization: Bearer $token" -w '%{time_total}' "$base/api/ledger" | awk '{ printf "%.1f ms", $1 * 1000 }')
after=""
for _ in $(seq "$pages"); do
    after=$(get "/api/ledger?limit=1000${after:+&after=$after}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["next"] or "")')
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "floor, GET /api/public/log/head: $(median /api/public/log/head)"
echo "GET /api/ledger, the first request after the start: $cold"
echo "GET /api/ledger (first page): $(median /api/ledger)"
echo "GET /api/ledger?after=… (after $pages pages of 1 000): $(median "/api/ledger?after=$after")"
echo "GET /api/ledger?overdue=true: $(median '/api/ledger?overdue=true')"
echo "GET /api/ledger?unit=单位7: $(median '/api/ledger?unit=%E5%8D%95%E4%BD%8D7')"
echo "GET /api/ledger?inspector=M001: $(median '/api/ledger?inspector=M001')"
echo "GET /api/ledger?limit=1000: $(median '/api/ledger?limit=1000')"
before=$(peak)
read -r size time < <(curl -sf -o /dev/null -H "Authorization: Bearer $token" -w '%{size_download} %{time_total}\n' "$base/api/ledger.csv")
printf 'GET /api/ledger.csv: %.1f MB in %.2f s; server peak %s before, %s after\n' \
    "$(echo "$size / 1000000" | bc -l)" "$time" "$before" "$(peak)"
