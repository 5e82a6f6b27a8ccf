#!/usr/bin/env python3
"""Generate the synthetic applicant file of the ResumeRank 3.2 example audit.

    python3 examples/acme-resumerank/generate.py            # writes data/applicants.csv beside this script
    python3 examples/acme-resumerank/generate.py --check    # regenerate in memory, compare with the committed file

Python standard library only. The output is byte-identical on every machine and Python 3 version:
the only source of randomness is `random.Random(seed).random()`, whose sequence Python guarantees
not to change across versions, and everything derived from it uses exact IEEE arithmetic
(additions, multiplications, comparisons and `round`), never `math.log`/`exp` or the other
`random` helpers (`gauss`, `choices`, ...), whose results may differ by platform or version.

The story (fictional; see README.md): Acme Corp screens résumés with ResumeRank 3.2, which gives each
applicant a score from 0 to 100; applicants scoring at least CUT advance to a recruiter interview.
The file is an export of twelve months of applications from Acme's applicant-tracking system (ATS).
Acme migrated to a new ATS on MIGRATION_DATE, so self-identified sex and race/ethnicity come in the
legacy system's spellings before that day and in the new system's afterwards, plus lower- and
upper-case variants from a bulk import of career-fair applications. Those raw values are mapped to
EEO-1 categories by `[data.categories]` in fairfile.toml; nothing is imputed (DCWP FAQ III.6).

How the data is built (all parameters are the constants below):
- each applicant has a latent job-related qualification q ~ N(0, 1), independent of demographics;
- ResumeRank's score = 64 + 14 * (0.6 q + 0.8 e) + a group shift, with noise e ~ N(0, 1); the shift
  is zero for everyone except Black or African American applicants (RACE_SHIFT), so the tool
  under-scores them at equal qualification: a real adverse-impact signal (impact ratio ~0.75);
- advanced = score >= CUT, so the score and the selection agree row by row;
- hired (the ground truth, observed later) depends on q only: advanced applicants are interviewed and
  hired with a probability rising with q; rejected applicants can still be hired when a recruiter
  reviews them manually ("recruiter pull"), at a much lower rate.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import random
import sys
import tempfile
from pathlib import Path

SEED = 20261120
ROWS = 40_000
FIRST_DAY = dt.date(2025, 10, 1)
LAST_DAY = dt.date(2026, 9, 30)
MIGRATION_DATE = dt.date(2026, 1, 5)
CUT = 70.0

# Applicant pool among those who self-identified (a professional applicant pool in New York City).
RACE_SHARES = [
    ("White", 0.361),
    ("Black or African American", 0.205),
    ("Hispanic or Latino", 0.190),
    ("Asian", 0.190),
    ("Two or More Races", 0.034),
    ("Native American or Alaska Native", 0.012),
    ("Native Hawaiian or Pacific Islander", 0.008),  # the small (< 2 %) category
]
SEX_SHARES = [("Female", 0.48), ("Male", 0.52)]

# Self-identification is voluntary: shares who decline or leave it blank, and who answer "Non-binary"
# (EEO-1 Component 1 has only Male and Female, so those applicants fall in the unknown count).
RACE_UNKNOWN = 0.050
SEX_UNKNOWN = 0.032
SEX_NONBINARY = 0.004

# Score shift in points, at equal qualification. Only one group is affected: the adverse-impact signal.
RACE_SHIFT = {"Black or African American": -3.4}
SEX_SHIFT: dict[str, float] = {}

# Raw spellings: legacy ATS (before MIGRATION_DATE), new ATS (from it), career-fair bulk import.
LEGACY, NEW, FAIR = "legacy", "new", "fair"
FAIR_SHARE = 0.06
SEX_RAW = {
    LEGACY: {"Male": "M", "Female": "F", "unknown": "Declined", "Non-binary": "X"},
    NEW: {"Male": "Male", "Female": "Female", "unknown": "Prefer not to say", "Non-binary": "Non-binary"},
    FAIR: {"Male": "male", "Female": "female", "unknown": "", "Non-binary": "non-binary"},
}
RACE_RAW = {
    LEGACY: {
        "White": "White",
        "Black or African American": "Black",
        "Hispanic or Latino": "Hispanic/Latino",
        "Asian": "Asian",
        "Two or More Races": "Multiracial",
        "Native American or Alaska Native": "Native American",
        "Native Hawaiian or Pacific Islander": "Pacific Islander",
        "unknown": "Declined",
    },
    NEW: {
        "White": "White (Not Hispanic or Latino)",
        "Black or African American": "Black or African American (Not Hispanic or Latino)",
        "Hispanic or Latino": "Hispanic or Latino",
        "Asian": "Asian (Not Hispanic or Latino)",
        "Two or More Races": "Two or More Races (Not Hispanic or Latino)",
        "Native American or Alaska Native": "American Indian or Alaska Native (Not Hispanic or Latino)",
        "Native Hawaiian or Pacific Islander": "Native Hawaiian or Other Pacific Islander (Not Hispanic or Latino)",
        "unknown": "I do not wish to self-identify",
    },
    FAIR: {
        "White": "WHITE",
        "Black or African American": "BLACK",
        "Hispanic or Latino": "HISPANIC",
        "Asian": "ASIAN",
        "Two or More Races": "TWO OR MORE",
        "Native American or Alaska Native": "NATIVE AMERICAN",
        "Native Hawaiian or Pacific Islander": "PACIFIC ISLANDER",
        "unknown": "",
    },
}

# (requisition id, job title, relative volume of applications)
REQUISITIONS = [
    ("REQ-41113", "Software Engineer II", 14),
    ("REQ-41127", "Data Analyst", 11),
    ("REQ-41141", "Customer Success Manager", 9),
    ("REQ-41152", "Financial Analyst", 10),
    ("REQ-41166", "Marketing Coordinator", 8),
    ("REQ-41178", "Operations Associate", 12),
    ("REQ-41190", "HR Generalist", 5),
    ("REQ-41204", "Product Manager", 7),
    ("REQ-42011", "Account Executive", 9),
    ("REQ-42023", "Paralegal", 4),
    ("REQ-42038", "Site Reliability Engineer", 6),
    ("REQ-42045", "Executive Assistant", 5),
]

HEADER = [
    "applicant_id",
    "application_date",
    "requisition",
    "job_title",
    "gender",
    "race_ethnicity",
    "score",
    "advanced",
    "hired",
]


def standard_normal(rng: random.Random) -> float:
    """Irwin-Hall approximation of N(0, 1): sum of 12 uniforms minus 6 (exact arithmetic, portable)."""
    total = 0.0
    for _ in range(12):
        total += rng.random()
    return total - 6.0


def pick(rng: random.Random, shares: list[tuple[str, float]]) -> str:
    """Draw one name with the given probabilities (which sum to 1)."""
    u = rng.random()
    cumulative = 0.0
    for name, share in shares:
        cumulative += share
        if u < cumulative:
            return name
    return shares[-1][0]


def clamp(x: float, low: float, high: float) -> float:
    return low if x < low else high if x > high else x


def generate(seed: int, rows: int) -> bytes:
    """The CSV file's bytes (UTF-8, LF line endings, header row)."""
    rng = random.Random(seed)
    days = (LAST_DAY - FIRST_DAY).days + 1
    req_total = sum(w for _, _, w in REQUISITIONS)
    req_shares = [(f"{rid}\t{title}", w / req_total) for rid, title, w in REQUISITIONS]

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    applications = []
    for _ in range(rows):
        day = FIRST_DAY + dt.timedelta(days=int(rng.random() * days))
        requisition, title = pick(rng, req_shares).split("\t")
        u = rng.random()
        sex = "unknown" if u < SEX_UNKNOWN else "Non-binary" if u < SEX_UNKNOWN + SEX_NONBINARY else pick(rng, SEX_SHARES)
        race = "unknown" if rng.random() < RACE_UNKNOWN else pick(rng, RACE_SHARES)
        system = FAIR if rng.random() < FAIR_SHARE else LEGACY if day < MIGRATION_DATE else NEW

        qualification = standard_normal(rng)
        noise = standard_normal(rng)
        raw_score = 64.0 + 14.0 * (0.6 * qualification + 0.8 * noise)
        raw_score += RACE_SHIFT.get(race, 0.0) + SEX_SHIFT.get(sex, 0.0)
        tenths = int(round(clamp(raw_score, 0.0, 100.0) * 10.0))
        advanced = tenths >= int(CUT * 10)

        if advanced:
            p_hired = clamp(0.07 + 0.05 * qualification, 0.005, 0.25)
        else:  # recruiter pull: a manual review outside ResumeRank
            p_hired = clamp(0.005 + 0.004 * qualification, 0.0, 0.02)
        hired = rng.random() < p_hired

        applications.append(
            (
                day,
                requisition,
                title,
                SEX_RAW[system][sex],
                RACE_RAW[system][race],
                f"{tenths // 10}.{tenths % 10}",
                "Advanced" if advanced else "Rejected",
                "1" if hired else "0",
            )
        )

    # Rows in date order with ids in that order, as an ATS export would list them.
    applications.sort(key=lambda a: a[0])
    for number, (day, *rest) in enumerate(applications, start=1):
        writer.writerow([f"APP-{number:06d}", day.isoformat(), *rest])
    return out.getvalue().encode("utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename, so no half-written file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main() -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--out", type=Path, default=here / "data" / "applicants.csv")
    parser.add_argument("--check", action="store_true", help="compare with the existing file instead of writing")
    args = parser.parse_args()

    data = generate(args.seed, args.rows)
    digest = hashlib.sha256(data).hexdigest()
    if args.check:
        existing = args.out.read_bytes()
        if existing != data:
            print(f"{args.out} differs from a fresh generation (sha256 {hashlib.sha256(existing).hexdigest()} != {digest})", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date (sha256 {digest})")
        return 0
    write_atomically(args.out, data)
    print(f"wrote {args.out}: {args.rows} rows, {len(data)} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
