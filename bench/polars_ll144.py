#!/usr/bin/env python3
"""The benchmark's polars baseline: the three LL144 tables from a CSV or Parquet file.

    python3 bench/polars_ll144.py FILE --mode selection --json OUT.json
    python3 bench/polars_ll144.py FILE --mode scoring   --json OUT.json

What an analyst would write with polars' lazy API: `scan_csv` (empty fields kept as empty strings,
column types given, so nothing is sniffed) or `scan_parquet`, then one `group_by` over sex × race
with the row count and the hits (selected = 1, or score strictly above the median of every row);
the sex and race tables are sums of those cells. Unknown categories ("" or "Declined") are counted
and left out, as in bench/pandas_ll144.py, whose JSON this matches (checked by bench/compare.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

UNKNOWN = ["", "Declined"]


def table(cells: dict, keys: list[str]) -> dict:
    """Categories of one table from the sex × race cells (n, hits), unknowns counted apart."""
    groups: dict = {}
    unknown = 0
    for (sex, race), (n, hits) in cells.items():
        combo = {"sex": sex, "race": race}
        values = tuple(combo[k] for k in keys)
        if any(v in UNKNOWN for v in values):
            unknown += n
            continue
        total = groups.setdefault(values, [0, 0])
        total[0] += n
        total[1] += hits
    best = max(h / n for n, h in groups.values())
    categories = []
    for values in sorted(groups):
        n, hits = groups[values]
        item = {"category": " × ".join(values)}
        if len(keys) == 2:
            item["sex"], item["race"] = values
        item.update(n=n, count=hits, rate=hits / n, impact_ratio=(hits / n) / best)
        categories.append(item)
    return {"unknown": unknown, "categories": categories}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--mode", choices=["selection", "scoring"], required=True)
    parser.add_argument("--json", type=Path, help="write the tables here")
    args = parser.parse_args()

    if args.file.suffix == ".parquet":
        frame = pl.scan_parquet(args.file)
    else:
        frame = pl.scan_csv(
            args.file,
            schema_overrides={"id": pl.String, "sex": pl.String, "race": pl.String, "score": pl.Float64, "selected": pl.Int32},
            empty_string_is_null=False,
        )
    median = None
    if args.mode == "selection":
        hit = pl.col("selected") == 1
    else:
        median = frame.select(pl.col("score").median()).collect().item()  # every row, unknowns included
        hit = pl.col("score") > median  # strictly above: ties are not above
    grouped = frame.group_by("sex", "race").agg(n=pl.len(), hits=hit.sum()).collect()
    cells = {(s, r): (n, h) for s, r, n, h in grouped.iter_rows()}
    result = {
        "mode": args.mode,
        "total": sum(n for n, _ in cells.values()),
        "median_score": median,
        "dimensions": {
            "sex": table(cells, ["sex"]),
            "race_ethnicity": table(cells, ["race"]),
            "intersectional": table(cells, ["sex", "race"]),
        },
    }
    text = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
