"""Load a CSV into DuckDB with typed, cleanly named columns, run a query, write its result as CSV.

Used by tests/sql_engines.rs (shelling out to an engine is for tests only). Usage:
    python3 duckdb_engine.py SPEC.json
SPEC: {"csv": path, "table": [part, ...], "columns": [[name, sql_type], ...],
       "query": path, "out": path}
The CSV's header row is skipped: columns are taken by position and renamed, so a messy header
(repeated names) becomes a clean table. Empty unquoted fields load as NULL, quoted "" as ''.
"""

import csv
import json
import sys

import duckdb


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    con = duckdb.connect()
    columns = spec["columns"]
    staging = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns)))
    con.execute(
        "CREATE TABLE ff_staging AS SELECT * FROM read_csv("
        f"{literal(spec['csv'])}, header=true, auto_detect=false, columns={{{staging}}}, "
        "delim=',', quote='\"', escape='\"', allow_quoted_nulls=false)"
    )
    table = spec["table"]
    if len(table) > 1:
        con.execute("CREATE SCHEMA IF NOT EXISTS " + ".".join(ident(p) for p in table[:-1]))
    select = ", ".join(
        f"CAST(c{i} AS {sql_type}) AS {ident(name)}" for i, (name, sql_type) in enumerate(columns)
    )
    con.execute(f"CREATE TABLE {'.'.join(ident(p) for p in table)} AS SELECT {select} FROM ff_staging")
    with open(spec["query"], encoding="utf-8") as f:
        query = f.read()
    result = con.sql(query)
    with open(spec["out"], "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.fetchall():
            writer.writerow("" if v is None else repr(v) if isinstance(v, float) else str(v) for v in row)


if __name__ == "__main__":
    main()
