#!/usr/bin/env bash
# What the full adverse-impact analysis costs: `fairfile metrics` on the benchmark's 10 million rows
# with a requisition column, plain (selection mode: the three LL144 tables and the analysis of the
# tally, which needs nothing more from the file) beside full (the score read for the cut-off table,
# the cut-off in use, and `stratum = "requisition"` for the Mantel–Haenszel analysis over 240
# requisitions), interleaved and repeated. Prints a Markdown table (also OUT/analysis.md): median
# wall time, peak resident memory, the ratio full ÷ plain, the machine and the date.
#
#   bench/analysis.sh                  # 10 million rows, 5 rounds
#   bench/analysis.sh --rows 100000    # a quick trial
#
# Options: --rows N, --out DIR (default bench/out), --repeat N (default 5), --skip-build.
# Needs what bench/run.sh needs for the data (python3 with numpy), awk, and GNU time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rows=10000000
out="$here/out"
repeat=5
skip_build=0
while (($#)); do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --repeat) repeat="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "analysis.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "analysis.sh: --rows needs a positive integer" >&2; exit 2; }
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "analysis.sh: --repeat needs a positive integer" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "analysis.sh: /usr/bin/time (GNU time) is missing: apt-get install time" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

target_dir="${CARGO_TARGET_DIR:-$root/target}"
fairfile="$target_dir/release/fairfile"
if ((!skip_build)); then
    (cd "$root" && cargo build --release --bin fairfile)
fi
[[ -x "$fairfile" ]] || { echo "analysis.sh: no release binary at $fairfile" >&2; exit 2; }

# The benchmark's file (bench/gen_10m.py), with a requisition column derived from the id: 240
# requisitions, deterministic. Written through a temporary file.
if ((rows == 10000000)); then name="applicants_10m"; else name="applicants_$rows"; fi
data="$out/$name.csv"
[[ -f "$data" ]] || python3 "$here/gen_10m.py" --rows "$rows" --out "$data" >&2
stratified="$out/${name}_requisitions.csv"
if [[ ! -f "$stratified" || "$stratified" -ot "$data" ]]; then
    awk -F, 'BEGIN { OFS = "," }
        NR == 1 { print $0, "requisition"; next }
        { n = substr($1, 3) + 0; printf "%s,REQ-%03d\n", $0, (n * 7919) % 240 }' "$data" > "$stratified.tmp"
    mv "$stratified.tmp" "$stratified"
fi

audit() { # audit NAME EXTRA_COLUMNS EXTRA_SECTIONS
    mkdir -p "$out/$1"
    python3 - "$out/$name-selection/fairfile.toml" "$out/$1/fairfile.toml" "$(basename "$stratified")" "$2" "$3" << 'EOF'
import sys
source, target, csv, columns, sections = sys.argv[1:]
text = open(source).read()
lines = []
for line in text.splitlines():
    if line.startswith("path = "):
        line = f'path = "../{csv}"'
    lines.append(line)
    if line == 'selected = "selected"' and columns:
        lines.append(columns)
text = "\n".join(lines) + "\n" + sections
open(target, "w").write(text)
EOF
}
audit "$name-plain" "" ""
audit "$name-full" $'score = "score"\nstratum = "requisition"' $'\n[data.analysis]\ncutoff_in_use = 70.0\n'

declare -A wall rss
for variant in plain full; do wall[$variant]=""; rss[$variant]=0; done
for ((round = 1; round <= repeat; round++)); do
    for variant in plain full; do
        start=$(date +%s.%N)
        /usr/bin/time -v -o "$out/time.txt" "$fairfile" metrics "$out/$name-$variant" --allow-outside --format json > "$out/analysis-$variant.json"
        end=$(date +%s.%N)
        wall[$variant]+="$(echo "$end - $start" | bc) "
        kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$out/time.txt")
        ((kb > rss[$variant])) && rss[$variant]=$kb
    done
    echo "round $round of $repeat done" >&2
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
plain=$(echo "${wall[plain]}" | median)
full=$(echo "${wall[full]}" | median)

# The full run really has the strata and the cut-off table, and the same LL144 tables.
python3 - "$out/analysis-plain.json" "$out/analysis-full.json" << 'EOF'
import json, sys
plain, full = (json.load(open(p)) for p in sys.argv[1:])
assert plain["dimensions"] == full["dimensions"], "the LL144 tables differ"
assert plain["analysis"]["strata"] is None and plain["analysis"]["cutoffs"] is None
assert len(full["analysis"]["strata"]["strata"]) == 240, "240 requisitions"
assert full["analysis"]["cutoffs"]["in_use_matches_selection"] is True
print("checked: same LL144 tables; 240 strata; the cut-off in use reproduces the selections", file=sys.stderr)
EOF

{
    echo "### Full analysis vs plain metrics ($(echo "$rows" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') rows, $(date -u +%Y-%m-%d))"
    echo
    echo "| run | median wall time (s) | peak RSS (MB) | ÷ plain |"
    echo "|---|---:|---:|---:|"
    printf "| plain: LL144 tables + analysis of the tally | %.2f | %.0f | 1.00 |\n" "$plain" "$(echo "${rss[plain]} / 1024" | bc -l)"
    printf "| full: + score cut-offs + 240 requisition strata | %.2f | %.0f | %.2f |\n" "$full" "$(echo "${rss[full]} / 1024" | bc -l)" "$(echo "$full / $plain" | bc -l)"
    echo
    echo "Median of $repeat interleaved rounds; warm page cache. Machine: $(nproc) CPUs, $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(free -g | awk '/Mem:/ { print $2 }') GB RAM, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$out/analysis.md"
