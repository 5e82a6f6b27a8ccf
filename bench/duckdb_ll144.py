#!/usr/bin/env python3
"""The benchmark's DuckDB baseline: the GROUPING SETS query for the three LL144 tables, and its
result as JSON for bench/compare.py.

    python3 bench/duckdb_ll144.py sql FILE --mode selection > q.sql   # the query (CSV or Parquet)
    duckdb -csv < q.sql > result.csv                                  # what is timed
    python3 bench/duckdb_ll144.py json result.csv --mode selection --json OUT.json

The query is what an analyst would write: one scan, `GROUP BY GROUPING SETS ((sex), (race), (sex,
race))` with the row count and the hits (selected = 1, or score strictly above `median(score)` of
every row, a second scan). The CSV is read with its column types given (nothing is sniffed) and
empty fields kept as empty strings, as in the Parquet file. Unknown categories ("" or "Declined")
are folded into the unknown counts when the result is turned into JSON (not timed).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

UNKNOWN = ["", "Declined"]


def source(file: Path) -> str:
    path = str(file.resolve()).replace("'", "''")
    if file.suffix == ".parquet":
        return f"read_parquet('{path}')"
    return (
        f"read_csv('{path}', header = true, columns = {{'id': 'VARCHAR', 'sex': 'VARCHAR', "
        "'race': 'VARCHAR', 'score': 'DOUBLE', 'selected': 'INTEGER'}, "
        "allow_quoted_nulls = false, nullstr = '\\N')"
    )


def query(file: Path, mode: str) -> str:
    src = source(file)
    sets = "GROUPING SETS ((sex), (race), (sex, race))"
    if mode == "selection":
        return (
            "SELECT grouping(sex) AS all_sex, grouping(race) AS all_race, sex, race, count(*) AS n,\n"
            f"  count(*) FILTER (WHERE selected = 1) AS hits, NULL AS median\nFROM {src}\nGROUP BY {sets};\n"
        )
    return (
        f"WITH m AS (SELECT median(score) AS median FROM {src})\n"
        "SELECT grouping(sex) AS all_sex, grouping(race) AS all_race, sex, race, count(*) AS n,\n"
        "  count(*) FILTER (WHERE score > m.median) AS hits, any_value(m.median) AS median\n"
        f"FROM {src}, m\nGROUP BY {sets};\n"
    )


def to_json(result: Path, mode: str) -> dict:
    tables = {"sex": {}, "race_ethnicity": {}, "intersectional": {}}
    unknown = {k: 0 for k in tables}
    median = None
    with open(result, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            all_sex, all_race = row["all_sex"] == "1", row["all_race"] == "1"
            n, hits = int(row["n"]), int(row["hits"])
            if mode == "scoring":
                median = float(row["median"])
            if all_race:
                name, values = "sex", (row["sex"],)
            elif all_sex:
                name, values = "race_ethnicity", (row["race"],)
            else:
                name, values = "intersectional", (row["sex"], row["race"])
            if any(v in UNKNOWN for v in values):
                unknown[name] += n
            else:
                tables[name][values] = (n, hits)
    dimensions = {}
    for name, groups in tables.items():
        best = max(h / n for n, h in groups.values())
        categories = []
        for values in sorted(groups):
            n, hits = groups[values]
            item = {"category": " × ".join(values)}
            if name == "intersectional":
                item["sex"], item["race"] = values
            item.update(n=n, count=hits, rate=hits / n, impact_ratio=(hits / n) / best)
            categories.append(item)
        dimensions[name] = {"unknown": unknown[name], "categories": categories}
    total = sum(n for n, _ in tables["sex"].values()) + unknown["sex"]
    return {"mode": mode, "total": total, "median_score": median, "dimensions": dimensions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["sql", "json"])
    parser.add_argument("file", type=Path, help="the data (sql) or the query's CSV result (json)")
    parser.add_argument("--mode", choices=["selection", "scoring"], required=True)
    parser.add_argument("--json", type=Path, help="json: write the tables here")
    args = parser.parse_args()
    if args.action == "sql":
        sys.stdout.write(query(args.file, args.mode))
        return 0
    text = json.dumps(to_json(args.file, args.mode), indent=1, ensure_ascii=False) + "\n"
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
