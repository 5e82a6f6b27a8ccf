#!/usr/bin/env bash
# Time `fairfile build` of the bundled example (release binary, a cold process each run): the whole
# pipeline (40,000-row metrics, 43 evidence documents, the check of 129 obligations, three Typst
# documents compiled to PDF/A-3a, manifest, ledger), into a fresh output folder each run so every
# run really renders. Prints each run's wall time and the per-document compile times fairfile
# reports, then the median.
#
#   bench/build.sh            # 10 runs
#   RUNS=20 bench/build.sh
#
# Needs a release build (`cargo build --release`; ~10 minutes from cold). CARGO_TARGET_DIR is honoured.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-10}
target=${CARGO_TARGET_DIR:-$root/target}
bin="$target/release/fairfile"
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin fairfile

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$root/examples/acme-resumerank" "$work/audit"
rm -rf "$work/audit/dist"

times=()
for i in $(seq 1 "$runs"); do
    rm -rf "$work/out"
    start=$(date +%s%N)
    "$bin" build "$work/audit" --out "$work/out" > "$work/log"
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    times+=("$ms")
    per_doc=$(grep -o '[a-z0-9-]*-v1.pdf .*rendered in [0-9]* ms' "$work/log" |
        sed -E 's/acme-resumerank-2026-([a-z0-9-]*)-v1.pdf.*rendered in ([0-9]*) ms/\1 \2 ms/' | paste -sd ',' -)
    echo "run $i: ${ms} ms  (${per_doc})"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "median of $runs cold builds: ${median} ms ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%Y-%m-%d))"
