#!/usr/bin/env bash
# Time `fairfile check` (dev build) on an audit with 1,000 generated evidence documents.
#
# The audit is a copy of tests/fixtures/check/audit (40 applicants; its own two small frameworks plus
# the shipped nyc-ll144 and eu-ai-act) with 1,000 Markdown documents added under evidence/generated/,
# one in ten with an attachment, so discovery walks, parses, validates and hashes 1,100 files and
# every obligation of four frameworks is checked against them. Prints the fastest of RUNS runs (default
# 5) after one warm-up run, in milliseconds.
#
# Usage: bench/check_1000.sh            (uses $CARGO_TARGET_DIR, else ./target)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
count=${COUNT:-1000}
target=${CARGO_TARGET_DIR:-$root/target}

cargo build --quiet --manifest-path "$root/Cargo.toml" --bin fairfile
bin="$target/debug/fairfile"

audit=$(mktemp -d)
trap 'rm -rf "$audit"' EXIT
cp -R "$root/tests/fixtures/check/audit/." "$audit/"
sed -i.orig 's/^frameworks = \["test-ll", "test-eu"\]/frameworks = ["test-ll", "test-eu", "nyc-ll144", "eu-ai-act"]/' "$audit/fairfile.toml"
rm -f "$audit/fairfile.toml.orig"
grep -q '"nyc-ll144", "eu-ai-act"' "$audit/fairfile.toml"
mkdir -p "$audit/evidence/generated"

kinds=(bias_audit candidate_notice published_summary worker_information training_record affected_person_notice)
for i in $(seq 1 "$count"); do
    n=$(printf '%04d' "$i")
    kind=${kinds[$((i % ${#kinds[@]}))]}
    day=$(printf '%02d' $(( (i % 28) + 1 )))
    attachments=""
    if (( i % 10 == 0 )); then
        printf 'row,value\n%s,%s\n' "$i" "$((i * 7))" > "$audit/evidence/generated/$n.csv"
        attachments="attachments = [\"$n.csv\"]"
    fi
    cat > "$audit/evidence/generated/$n.md" <<DOC
+++
kind = ["$kind"]
title = "Generated evidence document $n"
date = 2026-02-$day
owner = "Benchmark"
review_by = 2027-02-$day
$attachments
+++

# Generated evidence $n

This document exists to measure discovery, parsing, hashing and checking at scale.
DOC
done

"$bin" check "$audit" --format json > /dev/null   # warm-up; fails loudly if check fails

best=""
for _ in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$bin" check "$audit" --format json > /dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [[ -z "$best" || "$ms" -lt "$best" ]]; then best=$ms; fi
done
files=$(find "$audit/evidence" -type f | wc -l | tr -d ' ')
obligations=$("$bin" check "$audit" --format json | grep -c '"cite"')
echo "fairfile check, $count evidence documents ($files files under evidence/), $obligations obligations, dev build: ${best} ms (fastest of $runs runs)"
