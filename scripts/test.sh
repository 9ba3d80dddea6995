#!/usr/bin/env bash
# Runs every test, after setting up what they need on a fresh machine:
# PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth, database test;
# another with OPENDRAW_TEST_POSTGRES), Debian's Chromium and chromedriver
# for the browser tests, Node.js 20+ for the JavaScript verifier and
# TypeScript for the type check of the site, and
# Python 3 with venv for schemathesis (the OpenAPI conformance test).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${OPENDRAW_TEST_POSTGRES:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if [ -z "${OPENDRAW_TEST_POSTGRES:-}" ]; then
    pg_isready -h 127.0.0.1 -p 5432
    # Databases of earlier runs' tests that ended before dropping their own.
    psql -h 127.0.0.1 -U postgres -d test -Atc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'opendraw_test_%'" |
        while read -r name; do psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"; done
fi

if ! command -v chromedriver > /dev/null || ! command -v chromium > /dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver > /dev/null
fi
node --version > /dev/null || { echo "Node.js 20 or later is needed" >&2; exit 1; }

# TypeScript (npm), for the type check of public/ (tests/javascript.rs);
# the version is pinned there too. Installed into the target directory, so
# that the repository needs no node_modules.
typescript_version=5.9.3
typescript="${CARGO_TARGET_DIR:-target}/typescript"
if ! node "$typescript/node_modules/typescript/bin/tsc" --version 2> /dev/null | grep -q "$typescript_version"; then
    mkdir -p "$typescript"
    npm install --silent --no-save --no-audit --no-fund --prefix "$typescript" "typescript@$typescript_version"
fi

# schemathesis (PyPI), for the OpenAPI conformance test; the version is
# pinned in tests/openapi_conformance.rs too.
schemathesis_version=4.32.5
venv="${CARGO_TARGET_DIR:-target}/venv"
if ! "$venv/bin/schemathesis" --version 2> /dev/null | grep -q "$schemathesis_version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$schemathesis_version"
fi

cargo test "$@"
