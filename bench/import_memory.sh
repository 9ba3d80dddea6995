#!/usr/bin/env bash
# Peak resident memory and time of `opendraw import targets` (the release
# binary, as an operator runs it) for directories of 1 M and 10 M targets
# like the service benchmark's, into a fresh SQLite file and a fresh
# PostgreSQL database each. Needs /usr/bin/time and python3; PostgreSQL at
# OPENDRAW_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/test).
# Results go to BENCHMARKS.md (Imports).
#
#     bash bench/import_memory.sh               # 1 M and 10 M
#     bash bench/import_memory.sh 1000000       # sizes to run
set -euo pipefail
cd "$(dirname "$0")/.."
admin=${OPENDRAW_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000 10000000)
cargo build --release --quiet
dir=$(mktemp -d)
database=opendraw_bench_memory_$$
trap 'rm -rf "$dir"; psql -q "$admin" -c "DROP DATABASE IF EXISTS $database" 2> /dev/null || true' EXIT

echo "| targets | backend | time | peak RSS |"
echo "| ---: | --- | ---: | ---: |"
for size in "${sizes[@]}"; do
    bash bench/import_targets.sh "$size" > "$dir/targets.csv"
    for backend in sqlite postgres; do
        if [ "$backend" = sqlite ]; then
            url="sqlite:$dir/import.db"
            rm -f "$dir"/import.db*
        else
            psql -q "$admin" -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
            url="${admin%/*}/$database"
        fi
        /usr/bin/time -v ./target/release/opendraw import targets "$dir/targets.csv" --database-url "$url" \
            > /dev/null 2> "$dir/time.txt"
        peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2 / 1024}' "$dir/time.txt")
        elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/time.txt")
        echo "| $size | $backend | $elapsed | $peak |"
    done
done
