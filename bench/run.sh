#!/usr/bin/env bash
# Benchmark `fairfile metrics` against pandas and fairlearn on 10 million synthetic applicants, with
# `wc -l` as the I/O floor, all in one run on one machine; prints a Markdown table (also written to
# OUT/results.md) with wall times, peak memory, ratios and the machine, and checks that fairfile's
# numbers agree with pandas' (and fairlearn's).
#
#   bench/run.sh                    # everything (the fairlearn step takes ~5 min and ~5 GB)
#   bench/run.sh --skip-fairlearn   # without fairlearn
#   bench/run.sh --rows 100000      # a quick trial on a small file
#
# Options: --rows N (default 10000000), --out DIR (default bench/out, git-ignored),
# --skip-fairlearn, --skip-build (use the existing release binary).
#
# Needs: cargo; python3 with numpy, pandas (and fairlearn unless skipped); GNU time as /usr/bin/time
# (installed with apt-get when missing and possible). The release build takes ~10 minutes from cold
# (typst and the other dependencies are compiled with LTO); later runs reuse it. The data file
# (~370 MB) is generated once by bench/gen_10m.py and reused.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rows=10000000
out="$here/out"
skip_fairlearn=0
skip_build=0
while (($#)); do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --skip-fairlearn) skip_fairlearn=1; shift ;;
        --skip-build) skip_build=1; shift ;;
        -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rows needs a positive integer, got '$rows'" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# --- tools -----------------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
        echo "installing GNU time (apt-get install time)" >&2
        apt-get install -y -qq time > /dev/null || { apt-get update -qq && apt-get install -y -qq time > /dev/null; }
    else
        echo "run.sh: /usr/bin/time (GNU time) is missing: install the 'time' package" >&2
        exit 2
    fi
fi
python_modules="numpy, pandas"
((skip_fairlearn)) || python_modules+=", fairlearn"
python3 -c "import $python_modules" 2> /dev/null || {
    echo "run.sh: python3 needs $python_modules (pip install ${python_modules//,/})" >&2
    exit 2
}

target_dir="${CARGO_TARGET_DIR:-$root/target}"
fairfile="$target_dir/release/fairfile"
if ((!skip_build)); then
    echo "building fairfile in release mode (about 10 minutes from cold)..." >&2
    (cd "$root" && cargo build --release --bin fairfile)
fi
[[ -x "$fairfile" ]] || { echo "run.sh: no release binary at $fairfile (drop --skip-build)" >&2; exit 2; }

# --- data ------------------------------------------------------------------------------------------
if ((rows == 10000000)); then name="applicants_10m"; else name="applicants_$rows"; fi
data="$out/$name.csv"
if [[ -f "$data" ]]; then
    echo "using existing $data" >&2
    python3 "$here/gen_10m.py" --rows "$rows" --out "$data" --audits-only > /dev/null
else
    python3 "$here/gen_10m.py" --rows "$rows" --out "$data" >&2
fi
selection_audit="$out/$name-selection"
scoring_audit="$out/$name-scoring"
lines=$(wc -l < "$data")
if ((lines != rows + 1)); then
    echo "run.sh: $data has $lines lines, expected $((rows + 1)): delete it to regenerate" >&2
    exit 2
fi

# --- measurements ----------------------------------------------------------------------------------
# measure NAME STDOUT COMMAND...: wall time (monotonic ns clock around the command) and peak RSS
# (GNU time's "Maximum resident set size", kept in OUT/NAME.time); stderr goes to OUT/NAME.stderr.
declare -A wall_s rss_mb
steps=()
measure() {
    local name="$1" stdout="$2"
    shift 2
    local file="$out/${name// /-}" start end
    start=$(date +%s%N)
    if ! /usr/bin/time -v -o "$file.time" "$@" > "$stdout" 2> "$file.stderr"; then
        echo "run.sh: step '$name' failed: $*" >&2
        cat "$file.stderr" >&2
        exit 1
    fi
    end=$(date +%s%N)
    wall_s[$name]=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    rss_mb[$name]=$(awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$file.time")
    steps+=("$name")
    echo "  $name: ${wall_s[$name]} s, ${rss_mb[$name]} MB" >&2
}

echo "warming the page cache (cat $data > /dev/null)" >&2
cat "$data" > /dev/null
echo "measuring:" >&2
measure "wc -l" "$out/wc.out" wc -l "$data"
measure "fairfile selection" "$out/fairfile-selection.json" "$fairfile" metrics "$selection_audit" --format json
measure "fairfile scoring" "$out/fairfile-scoring.json" "$fairfile" metrics "$scoring_audit" --format json
measure "pandas selection" /dev/null python3 "$here/pandas_ll144.py" "$data" --mode selection --json "$out/pandas-selection.json"
measure "pandas scoring" /dev/null python3 "$here/pandas_ll144.py" "$data" --mode scoring --json "$out/pandas-scoring.json"
measure "pandas plain selection" /dev/null python3 "$here/pandas_ll144.py" "$data" --mode selection --plain --json "$out/pandas-plain-selection.json"
if ((!skip_fairlearn)); then
    measure "fairlearn MetricFrame" /dev/null python3 "$here/fairlearn_metricframe.py" "$data" --json "$out/fairlearn-selection.json"
fi

# --- agreement -------------------------------------------------------------------------------------
echo "checking that the numbers agree:" >&2
agreement=()
check() {
    if python3 "$here/compare.py" "$1" "$2" >&2; then
        agreement+=("- $3: agree (n, counts exact; rates and impact ratios to 1e-9)")
    else
        agreement+=("- $3: **DISAGREE** (see above)")
        disagree=1
    fi
}
disagree=0
check "$out/fairfile-selection.json" "$out/pandas-selection.json" "fairfile vs pandas, selection mode"
check "$out/fairfile-scoring.json" "$out/pandas-scoring.json" "fairfile vs pandas, scoring mode (incl. the median)"
check "$out/fairfile-selection.json" "$out/pandas-plain-selection.json" "fairfile vs plain pandas, selection mode"
if ((!skip_fairlearn)); then
    check "$out/fairfile-selection.json" "$out/fairlearn-selection.json" "fairfile vs fairlearn, selection mode"
fi

# --- report ----------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }
vs() { # the comparison column of the table
    case "$1" in
        "fairfile selection" | "fairfile scoring") echo "$(ratio "${wall_s[$1]}" "${wall_s[wc -l]}") wc -l" ;;
        "pandas selection" | "pandas plain selection") echo "$(ratio "${wall_s[$1]}" "${wall_s[fairfile selection]}") fairfile" ;;
        "pandas scoring") echo "$(ratio "${wall_s[$1]}" "${wall_s[fairfile scoring]}") fairfile" ;;
        "fairlearn MetricFrame") echo "$(ratio "${wall_s[$1]}" "${wall_s[fairfile selection]}") fairfile" ;;
        *) echo "" ;;
    esac
}
size_mb=$(awk -v b="$(stat -c %s "$data")" 'BEGIN { printf "%.1f", b / 1e6 }')
python_versions=$(python3 -c "
from importlib.metadata import version
names = ['numpy', 'pandas'] + ([] if $skip_fairlearn else ['fairlearn'])
print(', '.join(f'{n} {version(n)}' for n in names))")
{
    echo "### Benchmark: $rows rows, $size_mb MB ($(date -u +%Y-%m-%d))"
    echo
    echo "| step | wall time (s) | peak RSS (MB) | ratio |"
    echo "|---|---:|---:|---|"
    for step in "${steps[@]}"; do
        echo "| \`$step\` | ${wall_s[$step]} | ${rss_mb[$step]} | $(vs "$step") |"
    done
    echo
    echo "Ratios: pandas or fairlearn time ÷ fairfile time (same mode); fairfile time ÷ \`wc -l\` time."
    echo "pandas: \`usecols\` + categorical dtypes; pandas plain: \`read_csv(FILE)\` of every column."
    echo "Warm page cache (\`cat\` of the file first); wall time from a monotonic clock, peak RSS from"
    echo "\`/usr/bin/time -v\`. Commands: \`fairfile metrics DIR --format json\`, \`bench/pandas_ll144.py\`,"
    echo "\`bench/fairlearn_metricframe.py\` (see bench/README.md)."
    echo
    printf '%s\n' "${agreement[@]}"
    echo
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    memory=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
    commit=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo 'not a git checkout')
    echo "Machine: $(nproc) CPUs (${cpu:-unknown model}), $memory RAM, $(uname -sr)."
    echo "Software: $("$fairfile" --version) at $commit; Python $(python3 -c 'import platform; print(platform.python_version())')"
    echo "with $python_versions."
} | tee "$out/results.md"
echo "(written to $out/results.md)" >&2
exit "$disagree"
