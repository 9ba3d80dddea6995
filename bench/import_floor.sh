#!/usr/bin/env bash
# Time of `opendraw import targets` (the release binary, as an operator runs
# it, a fresh database each run) beside its floor, interleaved run by run on
# the same file of 1 M targets shaped like the service benchmark's:
#
# - SQLite: the `sqlite3` shell's `.import` (one transaction, WAL,
#   `synchronous = NORMAL`) into a bare WITHOUT ROWID table of the CSV's
#   columns with the primary key;
# - PostgreSQL: `\copy … (FORMAT csv, HEADER)` into a bare table of the
#   CSV's columns with the primary key.
#
# Prints every run and the medians. Needs python3, sqlite3 and psql;
# PostgreSQL at OPENDRAW_BENCH_POSTGRES (default
# postgres://postgres@127.0.0.1:5432/test). Results go to BENCHMARKS.md
# (Imports).
#
#     bash bench/import_floor.sh                  # SQLite, 5 runs of each
#     bash bench/import_floor.sh sqlite postgres  # backends to run
#     RUNS=3 ROWS=200000 bash bench/import_floor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
admin=${OPENDRAW_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
runs=${RUNS:-5}
rows=${ROWS:-1000000}
backends=("$@")
[ ${#backends[@]} -eq 0 ] && backends=(sqlite)
binary=${CARGO_TARGET_DIR:-target}/release/opendraw
cargo build --release --quiet
dir=$(mktemp -d)
database=opendraw_bench_floor_$$
trap 'rm -rf "$dir"; psql -q "$admin" -c "DROP DATABASE IF EXISTS $database" 2> /dev/null || true' EXIT
bash bench/import_targets.sh "$rows" > "$dir/targets.csv"
columns="id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, industry TEXT NOT NULL,
         risk_class TEXT NOT NULL, unit TEXT NOT NULL"

# Seconds taken by the command given, to stdout; its own output discarded.
seconds() {
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null
    end=$(date +%s%N)
    echo "scale=2; ($end - $start) / 1000000000" | bc
}

opendraw_sqlite() {
    rm -f "$dir"/import.db*
    "$binary" import targets "$dir/targets.csv" --database-url "sqlite:$dir/import.db"
}

floor_sqlite() {
    rm -f "$dir"/floor.db*
    sqlite3 "$dir/floor.db" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE bare ($columns) WITHOUT ROWID;
.import --csv --skip 1 $dir/targets.csv bare
SQL
}

opendraw_postgres() {
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
    "$binary" import targets "$dir/targets.csv" --database-url "${admin%/*}/$database"
}

floor_postgres() {
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
    psql -q "${admin%/*}/$database" -c "CREATE TABLE bare ($columns)" \
        -c "\\copy bare FROM '$dir/targets.csv' (FORMAT csv, HEADER)"
}

median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "$rows targets, $runs runs of each, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for backend in "${backends[@]}"; do
    ours=()
    floors=()
    for run in $(seq "$runs"); do
        ours+=("$(seconds "opendraw_$backend")")
        floors+=("$(seconds "floor_$backend")")
        echo "$backend run $run: opendraw ${ours[-1]} s, floor ${floors[-1]} s"
    done
    mine=$(median "${ours[@]}")
    floor=$(median "${floors[@]}")
    echo "$backend median: opendraw $mine s, floor $floor s, ratio $(echo "scale=2; $mine / $floor" | bc)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
