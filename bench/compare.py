#!/usr/bin/env python3
"""Check that two sets of LL144 tables agree: `fairfile metrics --format json` against the JSON of
pandas_ll144.py, polars_ll144.py, duckdb_ll144.py (json) or fairlearn_metricframe.py.

    python3 bench/compare.py FAIRFILE.json OTHER.json

Compares the row total, the median score (scoring mode), each dimension's unknown count, and per
category n, selected / above-median count (exact), rate and impact ratio (to 1e-9). Intersectional
categories are matched on their sex and race. Exit status 1, listing every difference, on mismatch.
"""

from __future__ import annotations

import json
import sys

TOLERANCE = 1e-9


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        fairfile = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        other = json.load(f)
    errors = []

    def same(path, a, b, tolerance=0.0):
        if a is None or b is None:
            if a is not b:
                errors.append(f"{path}: fairfile {a!r}, other {b!r}")
        elif abs(a - b) > tolerance:
            errors.append(f"{path}: fairfile {a!r}, other {b!r}")

    same("total", fairfile["total"], other["total"])
    if other["mode"] == "scoring":
        same("median_score", fairfile["median_score"], other["median_score"], TOLERANCE)
    count_field = "selected" if other["mode"] == "selection" else "above_median"
    compared = 0
    for dim, theirs in other["dimensions"].items():
        ours = fairfile["dimensions"][dim]
        same(f"{dim}.unknown", ours["unknown"], theirs["unknown"])
        # Categories with no rows (listed by the config but absent) have nothing to compare.
        our_categories = [c for c in ours["categories"] if c["n"] > 0]
        if len(our_categories) != len(theirs["categories"]):
            errors.append(f"{dim}: fairfile has {len(our_categories)} categories, other {len(theirs['categories'])}")
        for c in theirs["categories"]:
            if dim == "intersectional":
                match = [o for o in our_categories if o.get("sex") == c["sex"] and o.get("race") == c["race"]]
            else:
                match = [o for o in our_categories if o["category"] == c["category"]]
            path = f"{dim}[{c['category']}]"
            if len(match) != 1:
                errors.append(f"{path}: not found in fairfile's output")
                continue
            o = match[0]
            same(f"{path}.n", o["n"], c["n"])
            same(f"{path}.{count_field}", o[count_field], c["count"])
            same(f"{path}.rate", o["rate"], c["rate"], TOLERANCE)
            same(f"{path}.impact_ratio", o["impact_ratio"], c["impact_ratio"], TOLERANCE)
            compared += 1
    if errors:
        print(f"{len(errors)} difference(s) between {sys.argv[1]} and {sys.argv[2]}:", file=sys.stderr)
        for e in errors:
            print(f"  {e}", file=sys.stderr)
        return 1
    print(f"agree: {sys.argv[1]} and {sys.argv[2]} ({compared} categories)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
