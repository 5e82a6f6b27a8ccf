#!/usr/bin/env python3
"""The benchmark's fairlearn baseline: `MetricFrame` selection rates on the same file.

    python3 bench/fairlearn_metricframe.py FILE --json OUT.json

Reads the CSV with pandas (as pandas_ll144.py does), drops unknown categories per table, and runs a
fairlearn `MetricFrame` (metrics: selection_rate, count, selected) for sex, race and sex x race, with
`selected` as the prediction (fairlearn needs a y_true; selection rate ignores it, so the prediction
is passed for both). Impact ratio = rate / highest rate. Slow and memory-hungry on 10 million rows
(minutes, several GB): run.sh has --skip-fairlearn.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, selection_rate

UNKNOWN = ["", "Declined"]


def selected(y_true, y_pred) -> int:
    return int(np.sum(y_pred))


def table(frame: pd.DataFrame, keys: list[str], unknown: int) -> dict:
    y = frame["selected"].to_numpy()
    features = frame[keys[0]] if len(keys) == 1 else frame[keys]
    metrics = MetricFrame(
        metrics={"selection_rate": selection_rate, "count": count, "selected": selected},
        y_true=y,
        y_pred=y,
        sensitive_features=features,
    ).by_group
    top = metrics["selection_rate"].max()
    categories = []
    for key, row in metrics.iterrows():
        combo = key if isinstance(key, tuple) else (key,)
        item = {"category": " × ".join(combo)}
        if len(keys) == 2:
            item["sex"], item["race"] = combo
        item.update(
            n=int(row["count"]),
            count=int(row["selected"]),
            rate=float(row["selection_rate"]),
            impact_ratio=float(row["selection_rate"] / top),
        )
        categories.append(item)
    return {"unknown": unknown, "categories": categories}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", type=Path, help="write the tables here")
    args = parser.parse_args()

    frame = pd.read_csv(args.file, usecols=["sex", "race", "selected"], keep_default_na=False)
    sex_known = ~frame["sex"].isin(UNKNOWN)
    race_known = ~frame["race"].isin(UNKNOWN)
    both = sex_known & race_known
    result = {
        "mode": "selection",
        "total": len(frame),
        "median_score": None,
        "dimensions": {
            "sex": table(frame[sex_known], ["sex"], int((~sex_known).sum())),
            "race_ethnicity": table(frame[race_known], ["race"], int((~race_known).sum())),
            "intersectional": table(frame[both], ["sex", "race"], int((~both).sum())),
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
