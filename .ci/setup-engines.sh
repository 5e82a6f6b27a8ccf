#!/usr/bin/env bash
# Engines for tests/sql_engines.rs, which runs the query `fairfile sql` writes on real engines:
# DuckDB (the `duckdb` package from PyPI), PostgreSQL (Debian's server) and Spark SQL in local mode
# (PySpark from PyPI, on a Java 17 runtime). Idempotent, and it starts nothing: the test starts its
# own throwaway PostgreSQL server on a free loopback port, with its data directory in a temporary
# folder, and its own local Spark session, and stops both when done.
set -euo pipefail

if ! python3 -c 'import duckdb' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'duckdb==2.0.1'
fi

if ! python3 -c 'import pyspark' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'pyspark==4.3.0'
fi
if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package scripts from starting Debian's default cluster while installing (the usual
  # policy-rc.d switch; removed again afterwards if it was ours).
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
