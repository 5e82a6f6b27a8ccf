#!/usr/bin/env bash
# Benchmark `fairfile metrics` against the tools a data team would pick today — DuckDB, polars and
# pandas — on the same 10 million synthetic applicants as CSV and as Parquet (zstd), with the time
# to hash each file (`openssl dgst -sha256`, the floor of a traced audit) and `wc -l`, all in one run
# on one machine, interleaved and repeated (medians reported). Prints a Markdown table (also written
# to OUT/results.md) with wall times, peak memory, ratios, the load average and the machine, and
# checks that every tool's numbers agree with fairfile's, and fairfile's on Parquet with its own on
# the CSV, exactly.
#
#   bench/run.sh                    # everything but fairlearn (about 5 minutes with 5 repetitions)
#   bench/run.sh --repeat 3         # fewer repetitions
#   bench/run.sh --fairlearn        # also fairlearn's MetricFrame (once; ~5 minutes and ~5 GB)
#   bench/run.sh --rows 100000      # a quick trial on a small file
#
# Options: --rows N (default 10000000), --out DIR (default bench/out, git-ignored), --repeat N
# (default 5), --fairlearn, --skip-build (use the existing release binary).
#
# Needs: cargo; python3 with numpy, pandas, polars (and fairlearn with --fairlearn); the DuckDB CLI
# as `duckdb` (pip install duckdb-cli); openssl; GNU time as /usr/bin/time (installed with apt-get
# when missing and possible). The release build takes ~10 minutes from cold; later runs reuse it.
# The data (~370 MB CSV, ~22 MB Parquet) is generated once (bench/gen_10m.py, then DuckDB) and reused.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rows=10000000
out="$here/out"
repeat=5
fairlearn=0
skip_build=0
while (($#)); do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --repeat) repeat="$2"; shift 2 ;;
        --fairlearn) fairlearn=1; shift ;;
        --skip-fairlearn) fairlearn=0; shift ;; # the default; kept for older command lines
        --skip-build) skip_build=1; shift ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rows needs a positive integer, got '$rows'" >&2; exit 2; }
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat needs a positive integer, got '$repeat'" >&2; exit 2; }
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
python_modules="numpy, pandas, polars"
((fairlearn)) && python_modules+=", fairlearn"
python3 -c "import $python_modules" 2> /dev/null || {
    echo "run.sh: python3 needs $python_modules (pip install ${python_modules//,/})" >&2
    exit 2
}
command -v duckdb > /dev/null || { echo "run.sh: the DuckDB CLI is missing (pip install duckdb-cli)" >&2; exit 2; }
command -v openssl > /dev/null || { echo "run.sh: openssl is missing" >&2; exit 2; }

target_dir="${CARGO_TARGET_DIR:-$root/target}"
fairfile="$target_dir/release/fairfile"
if ((!skip_build)); then
    echo "building fairfile in release mode (about 10 minutes from cold)..." >&2
    (cd "$root" && cargo build --release --bin fairfile)
fi
[[ -x "$fairfile" ]] || { echo "run.sh: no release binary at $fairfile (drop --skip-build)" >&2; exit 2; }

# --- data: the CSV (bench/gen_10m.py) and the same rows as Parquet (DuckDB's COPY, zstd) ------------
if ((rows == 10000000)); then name="applicants_10m"; else name="applicants_$rows"; fi
data="$out/$name.csv"
if [[ -f "$data" ]]; then
    echo "using existing $data" >&2
    python3 "$here/gen_10m.py" --rows "$rows" --out "$data" --audits-only > /dev/null
else
    python3 "$here/gen_10m.py" --rows "$rows" --out "$data" >&2
fi
lines=$(wc -l < "$data")
if ((lines != rows + 1)); then
    echo "run.sh: $data has $lines lines, expected $((rows + 1)): delete it to regenerate" >&2
    exit 2
fi
parquet="$out/$name.parquet"
if [[ ! -f "$parquet" || "$parquet" -ot "$data" ]]; then
    echo "writing $parquet (DuckDB COPY, zstd, row groups of 1,000,000 rows; not timed)" >&2
    rm -f "$parquet"
    # Text as text (the empty string stays empty), the score as a double, selected as an integer.
    duckdb -no-init -c "COPY (SELECT * FROM read_csv('$data', header = true,
        columns = {'id': 'VARCHAR', 'sex': 'VARCHAR', 'race': 'VARCHAR', 'score': 'DOUBLE', 'selected': 'INTEGER'},
        allow_quoted_nulls = false, nullstr = '\\N'))
        TO '$parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)" > /dev/null
fi
# Audit folders: the generated ones read the CSV; copies read the Parquet file.
declare -A audit
for mode in selection scoring; do
    audit[csv-$mode]="$out/$name-$mode"
    audit[parquet-$mode]="$out/$name-$mode-parquet"
    mkdir -p "${audit[parquet-$mode]}"
    sed "s|^path = .*|path = \"../$name.parquet\"|" "${audit[csv-$mode]}/fairfile.toml" > "${audit[parquet-$mode]}/fairfile.toml"
    for input in csv parquet; do
        file="$data"
        [[ $input == parquet ]] && file="$parquet"
        python3 "$here/duckdb_ll144.py" sql "$file" --mode "$mode" > "$out/duckdb-$input-$mode.sql"
    done
done

# --- steps -----------------------------------------------------------------------------------------
# step KEY STDOUT COMMAND...: a command to time; KEY is "tool input mode" (mode "-" for the floors).
declare -A step_stdout step_command
keys=()
step() {
    local key="$1" stdout="$2"
    shift 2
    keys+=("$key")
    step_stdout[$key]="$stdout"
    step_command[$key]="$(printf '%q ' "$@")"
}
step "sha256 csv -" /dev/null openssl dgst -sha256 "$data"
step "wc csv -" /dev/null wc -l "$data"
step "sha256 parquet -" /dev/null openssl dgst -sha256 "$parquet"
for mode in selection scoring; do
    for input in csv parquet; do
        file="$data"
        [[ $input == parquet ]] && file="$parquet"
        step "fairfile $input $mode" "$out/fairfile-$input-$mode.json" "$fairfile" metrics "${audit[$input-$mode]}" --format json
        step "duckdb $input $mode" "$out/duckdb-$input-$mode.csv" duckdb -no-init -csv -f "$out/duckdb-$input-$mode.sql"
        step "polars $input $mode" /dev/null python3 "$here/polars_ll144.py" "$file" --mode "$mode" --json "$out/polars-$input-$mode.json"
    done
    step "pandas csv $mode" /dev/null python3 "$here/pandas_ll144.py" "$data" --mode "$mode" --json "$out/pandas-csv-$mode.json"
done
step "pandas-plain csv selection" /dev/null python3 "$here/pandas_ll144.py" "$data" --mode selection --plain --json "$out/pandas-plain-csv-selection.json"

# --- measurements: every step once per round, rounds repeated; medians ---------------------------
# Wall time from a monotonic ns clock around the command; peak RSS from GNU time ("Maximum resident
# set size"); the largest RSS over the rounds is reported.
declare -A walls rss_mb
measure() { # KEY
    local key="$1" file start end rss
    file="$out/${key// /-}"
    start=$(date +%s%N)
    if ! eval "/usr/bin/time -v -o \"$file.time\" ${step_command[$key]}" > "${step_stdout[$key]}" 2> "$file.stderr"; then
        echo "run.sh: step '$key' failed: ${step_command[$key]}" >&2
        cat "$file.stderr" >&2
        exit 1
    fi
    end=$(date +%s%N)
    walls[$key]+="$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }') "
    rss=$(awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$file.time")
    rss_mb[$key]=$(awk -v a="${rss_mb[$key]:-0}" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')
}
median() { tr ' ' '\n' <<< "$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "warming the page cache (cat of both files)" >&2
cat "$data" "$parquet" > /dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 1; round <= repeat; round++)); do
    echo "round $round of $repeat:" >&2
    for key in "${keys[@]}"; do
        measure "$key"
    done
    for key in "${keys[@]}"; do printf '  %-28s %s\n' "$key" "$(awk '{ print $NF }' <<< "${walls[$key]}")" >&2; done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if ((fairlearn)); then
    echo "fairlearn MetricFrame (once):" >&2
    step "fairlearn csv selection" /dev/null python3 "$here/fairlearn_metricframe.py" "$data" --json "$out/fairlearn-csv-selection.json"
    measure "fairlearn csv selection"
fi
declare -A wall_s
for key in "${keys[@]}"; do wall_s[$key]=$(median "${walls[$key]}"); done

# --- agreement -------------------------------------------------------------------------------------
echo "checking that the numbers agree:" >&2
for mode in selection scoring; do
    for input in csv parquet; do
        python3 "$here/duckdb_ll144.py" json "$out/duckdb-$input-$mode.csv" --mode "$mode" --json "$out/duckdb-$input-$mode.json"
    done
done
agreement=()
disagree=0
check() { # OTHER.json MODE LABEL
    if python3 "$here/compare.py" "$out/fairfile-csv-$2.json" "$1" >&2; then
        agreement+=("- $3: agree (n, counts exact; rates and impact ratios to 1e-9)")
    else
        agreement+=("- $3: **DISAGREE** (see above)")
        disagree=1
    fi
}
for mode in selection scoring; do
    # fairfile on Parquet against fairfile on the CSV: every number identical (only `data` differs).
    if python3 - "$out/fairfile-csv-$mode.json" "$out/fairfile-parquet-$mode.json" << 'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for report in (a, b):
    report.pop("data", None)
sys.exit(0 if a == b else 1)
EOF
    then agreement+=("- fairfile on Parquet vs fairfile on the CSV, $mode mode: identical JSON (every count, rate, ratio, statistic)")
    else agreement+=("- fairfile on Parquet vs fairfile on the CSV, $mode mode: **DIFFER**"); disagree=1
    fi
    for input in CSV Parquet; do
        check "$out/duckdb-${input,,}-$mode.json" "$mode" "DuckDB on the $input, $mode mode"
        check "$out/polars-${input,,}-$mode.json" "$mode" "polars on the $input, $mode mode"
    done
    check "$out/pandas-csv-$mode.json" "$mode" "pandas on the CSV, $mode mode"
done
check "$out/pandas-plain-csv-selection.json" selection "plain pandas on the CSV, selection mode"
if ((fairlearn)); then
    check "$out/fairlearn-csv-selection.json" selection "fairlearn on the CSV, selection mode"
fi

# --- report ----------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
cell() { [[ -n "${wall_s[$1]:-}" ]] && echo "${wall_s[$1]}" || echo ""; }
memory() { # TOOL INPUT: "selection / scoring" peak RSS
    local a="${rss_mb[$1 $2 selection]:-}" b="${rss_mb[$1 $2 scoring]:-}"
    if [[ -n $a && -n $b ]]; then echo "$a / $b"; else echo "$a$b"; fi
}
row() { # LABEL TOOL INPUT: a tool's row, its time ÷ fairfile's on the same input and mode
    local label="$1" tool="$2" input="$3" sel="" sco="" rsel="" rsco=""
    sel=$(cell "$tool $input selection")
    sco=$(cell "$tool $input scoring")
    [[ -n $sel ]] && rsel=$(ratio "$sel" "${wall_s[fairfile $input selection]}")
    [[ -n $sco ]] && rsco=$(ratio "$sco" "${wall_s[fairfile $input scoring]}")
    echo "| $label | $sel | $sco | $(memory "$tool" "$input") | ${rsel:-–} / ${rsco:-–} |"
}
floor_row() { # LABEL KEY INPUT: a floor's row, fairfile's time ÷ the floor's
    local f="${wall_s[$2]}"
    echo "| $1 | $f | | ${rss_mb[$2]} | fairfile is $(ratio "${wall_s[fairfile $3 selection]}" "$f") / $(ratio "${wall_s[fairfile $3 scoring]}" "$f") |"
}
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }
versions=$(python3 -c "
from importlib.metadata import version
names = ['numpy', 'pandas', 'polars'] + (['fairlearn'] if $fairlearn else [])
print(', '.join(f'{n} {version(n)}' for n in names))")
{
    echo "### Benchmark: $rows rows as CSV ($(size_mb "$data")) and Parquet ($(size_mb "$parquet"), zstd) — $(date -u +%Y-%m-%d)"
    echo
    echo "| tool | selection (s) | scoring (s) | peak RSS selection / scoring (MB) | time ÷ fairfile, selection / scoring |"
    echo "|---|---:|---:|---:|---|"
    echo "| **CSV** | | | | |"
    floor_row "\`openssl dgst -sha256\` (hash only: the floor)" "sha256 csv -" csv
    floor_row "\`wc -l\`" "wc csv -" csv
    row "**fairfile metrics**" fairfile csv
    row "DuckDB (GROUPING SETS)" duckdb csv
    row "polars (\`scan_csv\` + \`group_by\`)" polars csv
    row "pandas (\`read_csv\`, usecols, categories)" pandas csv
    row "pandas, plain \`read_csv\`" pandas-plain csv
    if ((fairlearn)); then
        row "fairlearn MetricFrame (one run)" fairlearn csv
    fi
    echo "| **Parquet** | | | | |"
    floor_row "\`openssl dgst -sha256\` (hash only: the floor)" "sha256 parquet -" parquet
    row "**fairfile metrics**" fairfile parquet
    row "DuckDB (GROUPING SETS)" duckdb parquet
    row "polars (\`scan_parquet\` + \`group_by\`)" polars parquet
    echo
    echo "Median wall time of $repeat interleaved rounds (every step once per round; monotonic clock around"
    echo "the process, so Python and DuckDB start-up is included, as is fairfile's SHA-256 of the input);"
    echo "peak RSS the largest of the rounds (\`/usr/bin/time -v\`). Warm page cache. Ratios: the tool's time ÷"
    echo "fairfile's on the same file and mode (above 1: fairfile is faster); for the floors, fairfile's time"
    echo "÷ the floor's. Load average (1, 5, 15 min) before: $load_before; after: $load_after."
    echo "Commands: \`fairfile metrics DIR --format json\`; \`duckdb -csv -f\` on the query of"
    echo "\`bench/duckdb_ll144.py sql\`; \`bench/polars_ll144.py\`; \`bench/pandas_ll144.py\` (see bench/README.md)."
    echo
    printf '%s\n' "${agreement[@]}"
    echo
    cpu=$(lscpu 2> /dev/null | awk -F: '/^Model name/ { sub(/^ +/, "", $2); print $2; exit }')
    [[ -n $cpu ]] || cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    memory=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
    commit=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo 'not a git checkout')
    echo "Machine: $(nproc) CPUs (${cpu:-unknown model}), $memory RAM, $(uname -sr)."
    echo "Software: $("$fairfile" --version) at $commit; DuckDB $(duckdb -no-init --version | cut -d' ' -f1);"
    echo "$(openssl version | cut -d' ' -f1-2); Python $(python3 -c 'import platform; print(platform.python_version())') with $versions."
} | tee "$out/results.md"
echo "(written to $out/results.md)" >&2
exit "$disagree"
