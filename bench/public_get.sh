#!/usr/bin/env bash
# wrk (64 connections) against every public GET of the API, beside a floor
# measured in the same run: the public site's language.js (614 bytes), a
# static file served by the same server without touching the database.
# Each path is requested once before its run (the answer is built then;
# how long that takes is not in the table). Prints a Markdown table: bytes
# sent, requests/s, p50 and p99, and each row's share of the floor's rate.
#
#   bench/public_get.sh                      # a fresh demo database (SQLite)
#   bench/public_get.sh DATABASE_URL         # e.g. the large data set of
#                                            # bench/make_public_data.sh
#   DEMO=1 bench/public_get.sh postgres://postgres@127.0.0.1/demo
#                                            # the demo made in that new,
#                                            # empty database first
#
# DURATION (default 10s) is each run's length; NO_BUILD=1 uses the release
# binary as it is (OPENDRAW names another); GZIP=1 asks with
# `Accept-Encoding: gzip`, as browsers and CDNs do. The table gives each
# answer's bytes as sent. Needs wrk (Debian: wrk),
# curl and python3. The server and wrk share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10s}
port=${PORT:-18181}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
binary=${OPENDRAW:-./target/release/opendraw}
dir=$(mktemp -d)
url=${1:-}
demo=${DEMO:-}
if [ -z "$url" ]; then
    url="$dir/demo.db"
    demo=1
fi
if [ -n "$demo" ]; then
    "$binary" demo --database-url "$url" > /dev/null
fi
RUST_LOG=warn "$binary" serve --database-url "$url" --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/api/public/log/head" > /dev/null && break; sleep 0.1; done

json() { curl -sf "$base$1" | python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"; }
revealed=$(json "/api/public/tasks?limit=1000" "next(t['id'] for t in d if t['state'] == 'revealed')")
sealed=$(json "/api/public/tasks?limit=1000" "next(t['id'] for t in d if t['state'] == 'drawn')")
entity=$(json "/api/public/results?limit=1" "d['results'][0]['target']")
after=$(json "/api/public/results?limit=100" "d['next'] or d['results'][0]['reference']")
after_log=$(( $(json "/api/public/log/head" "d['seq']") / 2 ))
# A task whose files are stored: the large data set's revealed tasks are
# copies without files, so there the file is asked of the demo's own task
# (and the copy's missing file is measured on a row of its own).
file_task=$revealed
if ! curl -sf -o /dev/null "$base/api/public/tasks/$file_task/files/parameters.tsv"; then
    for id in $(seq 1 50); do
        if curl -sf -o /dev/null "$base/api/public/tasks/$id/files/parameters.tsv"; then file_task=$id; break; fi
    done
fi

paths=(
    "/language.js"
    "/api/public/tasks?limit=100"
    "/api/public/tasks/$revealed"
    "/api/public/tasks/$sealed"
    "/api/public/tasks/$file_task/files/parameters.tsv"
    "/api/public/tasks/$revealed/selection"
    "/api/public/tasks/$revealed/replacements"
    "/api/public/log?after=$after_log&limit=100"
    "/api/public/log/head"
    "/api/public/entities/$entity"
    "/api/public/results"
    "/api/public/results?after=$after"
    "/api/public/results?task=$revealed"
    "/api/public/outcomes"
    "/api/public/statistics"
    "/log/checkpoint"
    "/api/public/log/inclusion?seq=$after_log"
    "/api/public/log/consistency?from=$after_log"
    "/log/tile/entries/000.p/$(( after_log < 128 ? after_log : 128 ))"
    "/log/tile/0/000.p/$(( after_log < 128 ? after_log : 128 ))"
)
if [ "$file_task" != "$revealed" ]; then
    paths+=("/api/public/tasks/$revealed/files/parameters.tsv")
fi
# Whole lists and downloads, only where they are small (the demo): on the
# large data set they are megabytes to gigabytes a request.
if [ -n "$demo" ]; then
    paths+=("/api/public/tasks" "/api/public/tasks/$revealed/bundle.tar" "/api/public/results.csv" "/api/public/log.jsonl")
    # Floors for the larger answers: static files of the site, from the same
    # server without the database, of about the size of the whole log (44 kB)
    # and of twice the bundle's (134 kB).
    paths+=("/i18n/en.js" "/verify.js")
fi

asking=()
[ -z "${GZIP:-}" ] || asking=(-H "Accept-Encoding: gzip")
echo "| request | bytes | requests/s | p50 | p99 | of the floor |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
floor=
for path in "${paths[@]}"; do
    # The first request builds the answer; wrk measures the steady state.
    size=$(curl -s "${asking[@]}" -o /dev/null -w '%{size_download}' "$base$path")
    out=$(wrk -t2 -c64 -d"$duration" --latency "${asking[@]}" "$base$path")
    rate=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    errors=$(awk '/Non-2xx/ {print " (" $5 " non-2xx)"}' <<< "$out")
    floor=${floor:-$rate}
    share=$(awk -v r="$rate" -v f="$floor" 'BEGIN {printf "%.2f", r / f}')
    echo "| \`GET $path\`$errors | $size | $rate | $p50 | $p99 | $share |"
done
