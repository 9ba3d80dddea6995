#!/usr/bin/env bash
# Peak memory of the server while it sends the results CSV and the whole
# log: starts `opendraw serve` on DATABASE_URL, reads its peak resident
# memory (VmHWM) before and after each download, and the download's size
# and time. Run it on two sizes of data (bench/make_public_data.sh) to see
# whether the peak grows with them.
#
#   bench/download_memory.sh DATABASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?a database URL}
port=${PORT:-18182}
RUST_LOG=warn ./target/release/opendraw serve --database-url "$url" --bind "127.0.0.1:$port" --public-dir /nonexistent &
server=$!
trap 'kill $server' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/api/public/log/head" > /dev/null && break; sleep 0.1; done
peak() { awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$server/status"; }
echo "| download | size | time | server peak before | server peak after |"
echo "| --- | ---: | ---: | ---: | ---: |"
for path in /api/public/results.csv /api/public/log.jsonl; do
    before=$(peak)
    read -r size time < <(curl -sf -o /dev/null -w '%{size_download} %{time_total}\n' "$base$path")
    printf '| `GET %s` | %.1f MB | %.2f s | %s | %s |\n' "$path" "$(echo "$size / 1000000" | bc -l)" "$time" "$before" "$(peak)"
done
