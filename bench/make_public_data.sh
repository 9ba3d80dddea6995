#!/usr/bin/env bash
# Makes the large public data set: the demo, plus TASKS revealed tasks,
# RESULTS published results over 200 000 directory targets, and ten drawn
# tasks that give the market department 100 000 open ledger lines (what is
# made: bench/public_data/sqlite.sql). Rows are written directly with SQL in
# the shape the service writes them; the statistics' counts are then
# computed by migration 0004's own backfill statements.
#
#   bench/make_public_data.sh sqlite:/tmp/big.db [RESULTS] [TASKS]
#   bench/make_public_data.sh postgres://postgres@127.0.0.1/big [RESULTS] [TASKS]
#
# RESULTS defaults to 1 000 000, TASKS to 10 000. The database must be new
# (for PostgreSQL: created and empty). Needs sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?a database URL}
results=${2:-1000000}
tasks=${3:-10000}
binary=${OPENDRAW:-./target/release/opendraw}
start=$(date +%s.%N)
# The demo prints its accounts and their tokens (the ledger needs a supervisor).
"$binary" demo --database-url "$url" > "${ACCOUNTS:-/dev/null}"
case "$url" in
    postgres://* | postgresql://*) dialect=postgres; run() { psql -q -v ON_ERROR_STOP=1 "$url"; } ;;
    *) dialect=sqlite; file=${url#sqlite:}; file=${file#//}; run() { sqlite3 -bail "$file" > /dev/null; } ;;
esac
{
    sed -e "s/@RESULTS@/$results/g" -e "s/@TASKS@/$tasks/g" "bench/public_data/$dialect.sql"
    sed -n '/^INSERT INTO publication_counts/,/;$/p' "migrations/$dialect/0004_public_reads.sql"
    echo "COMMIT;"
    echo "ANALYZE;"
} | run
end=$(date +%s.%N)
printf 'made %s results and %s tasks (%s) in %.1f s\n' "$results" "$tasks" "$dialect" "$(echo "$end - $start" | bc)"
