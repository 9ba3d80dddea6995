#!/usr/bin/env bash
# Public GET of a revealed task at 64 concurrent connections, wrk on
# loopback, against `opendraw serve` on the demo database (SQLite).
# Needs wrk (Debian package `wrk`). Results go to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=$(mktemp -d)
./target/release/opendraw demo --database-url "$dir/demo.db" > /dev/null
RUST_LOG=warn ./target/release/opendraw serve --database-url "$dir/demo.db" --bind 127.0.0.1:18181 --public-dir /nonexistent &
server=$!
trap 'kill $server; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:18181/api/public/log/head > /dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:18181/api/public/tasks/1 | head -c 200; echo
wrk -t2 -c64 -d20s --latency "http://127.0.0.1:18181/api/public/tasks/1"
wrk -t2 -c64 -d20s --latency "http://127.0.0.1:18181/api/public/tasks/2"
