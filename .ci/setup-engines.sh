#!/usr/bin/env bash
# Engines for tests/sql_engines.rs, which runs the query `fairfile sql` writes on real engines:
# DuckDB (the `duckdb` package from PyPI) and PostgreSQL (Debian's server). Idempotent, and it
# starts nothing: the test starts its own throwaway PostgreSQL server on a free loopback port, with
# its data directory in a temporary folder, and stops it when done.
set -euo pipefail

if ! python3 -c 'import duckdb' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'duckdb==2.0.1'
fi

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # No default cluster: nothing is created or started on port 5432.
  mkdir -p /etc/postgresql-common
  if ! grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
