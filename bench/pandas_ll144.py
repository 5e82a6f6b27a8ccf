#!/usr/bin/env python3
"""The benchmark's pandas baseline: read the CSV with pandas and compute the three LL144 tables.

    python3 bench/pandas_ll144.py FILE --mode selection --json OUT.json
    python3 bench/pandas_ll144.py FILE --mode scoring   --json OUT.json

What an analyst would write: `read_csv` (default C parser; `usecols` and categorical dtypes, so that
pandas is not handicapped; with `--plain`, a plain `read_csv(FILE)` of every column with inferred
types, as it is usually written first), then a `groupby` per table (6 RCNY §5-301): per category n, selected
(selection mode) or above the median score of every row (scoring mode), rate and impact ratio
(rate / highest rate). Unknown categories ("" or "Declined") are counted and left out. The JSON
is compared with `fairfile metrics --format json` by bench/compare.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

UNKNOWN = ["", "Declined"]


def table(frame: pd.DataFrame, keys: list[str], total_unknown: int) -> dict:
    grouped = frame.groupby(keys, observed=True, sort=True)["hit"].agg(["size", "sum"])
    rate = grouped["sum"] / grouped["size"]
    impact_ratio = rate / rate.max()
    categories = []
    for key in grouped.index:
        combo = key if isinstance(key, tuple) else (key,)
        item = {"category": " × ".join(combo)}
        if len(keys) == 2:
            item["sex"], item["race"] = combo
        item.update(
            n=int(grouped.loc[key, "size"]),
            count=int(grouped.loc[key, "sum"]),
            rate=float(rate.loc[key]),
            impact_ratio=float(impact_ratio.loc[key]),
        )
        categories.append(item)
    return {"unknown": total_unknown, "categories": categories}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--mode", choices=["selection", "scoring"], required=True)
    parser.add_argument("--json", type=Path, help="write the tables here")
    parser.add_argument(
        "--plain", action="store_true", help="plain read_csv: every column, inferred types"
    )
    args = parser.parse_args()

    outcome = "selected" if args.mode == "selection" else "score"
    if args.plain:
        frame = pd.read_csv(args.file, keep_default_na=False)
    else:
        frame = pd.read_csv(
            args.file,
            usecols=["sex", "race", outcome],
            dtype={"sex": "category", "race": "category"},
            keep_default_na=False,
        )
    median = None
    if args.mode == "selection":
        frame["hit"] = frame["selected"] == 1
    else:
        median = float(frame["score"].median())  # the full sample, unknowns included
        frame["hit"] = frame["score"] > median  # strictly above: ties are not above
    sex_known = ~frame["sex"].isin(UNKNOWN)
    race_known = ~frame["race"].isin(UNKNOWN)
    both = sex_known & race_known
    result = {
        "mode": args.mode,
        "total": len(frame),
        "median_score": median,
        "dimensions": {
            "sex": table(frame[sex_known], ["sex"], int((~sex_known).sum())),
            "race_ethnicity": table(frame[race_known], ["race"], int((~race_known).sum())),
            "intersectional": table(frame[both], ["sex", "race"], int((~both).sum())),
        },
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
