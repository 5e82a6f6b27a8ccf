#!/usr/bin/env bash
# Data where it lives: on the benchmark's 10-million-row applicant file, side by side in one run,
#   - `fairfile metrics` on the CSV (the streaming path) and on the same rows as Parquet;
#   - the DuckDB push-down: DuckDB runs the query `fairfile sql` writes on the rows (held in a
#     DuckDB database, as in a warehouse), then `fairfile metrics` reads the counts it returns:
#     engine time + fairfile time;
# in selection and scoring mode. Prints a Markdown table (also OUT/sql-results.md) and checks that
# every path gives the same numbers as the CSV (exit 1 if not).
#
#   bench/sql_parquet.sh                 # 10 million rows
#   bench/sql_parquet.sh --rows 100000   # a quick trial
#
# Options: --rows N (default 10000000), --out DIR (default bench/out), --skip-build.
# Needs: cargo; python3 with numpy (bench/gen_10m.py) and duckdb (pip install duckdb); GNU time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rows=10000000
out="$here/out"
skip_build=0
while (($#)); do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "sql_parquet.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "sql_parquet.sh: --rows needs a positive integer" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[[ -x /usr/bin/time ]] || { echo "sql_parquet.sh: needs GNU time as /usr/bin/time (apt-get install time)" >&2; exit 2; }
python3 -c "import numpy, duckdb" 2> /dev/null || { echo "sql_parquet.sh: needs python3 with numpy and duckdb" >&2; exit 2; }

target_dir="${CARGO_TARGET_DIR:-$root/target}"
fairfile="$target_dir/release/fairfile"
if ((!skip_build)); then
    (cd "$root" && cargo build --release --bin fairfile)
fi
[[ -x "$fairfile" ]] || { echo "sql_parquet.sh: no release binary at $fairfile" >&2; exit 2; }

# --- data: the CSV (bench/gen_10m.py), the same rows as Parquet and in a DuckDB database ----------
if ((rows == 10000000)); then name="applicants_10m"; else name="applicants_$rows"; fi
csv="$out/$name.csv"
if [[ -f "$csv" ]]; then
    python3 "$here/gen_10m.py" --rows "$rows" --out "$csv" --audits-only > /dev/null
else
    python3 "$here/gen_10m.py" --rows "$rows" --out "$csv" >&2
fi
parquet="$out/$name.parquet"
db="$out/$name.duckdb"
if [[ ! -f "$parquet" || ! -f "$db" || "$parquet" -ot "$csv" ]]; then
    echo "writing $parquet and $db (not timed)" >&2
    rm -f "$parquet" "$db"
    python3 - "$csv" "$parquet" "$db" << 'EOF'
import sys, duckdb
csv, parquet, db = sys.argv[1:]
con = duckdb.connect(db)
# Text as text (the empty string stays empty), the score as a double, selected as an integer.
con.execute(f"""CREATE TABLE applicants AS SELECT * FROM read_csv('{csv}', header = true,
    columns = {{'id': 'VARCHAR', 'sex': 'VARCHAR', 'race': 'VARCHAR', 'score': 'DOUBLE', 'selected': 'INTEGER'}},
    allow_quoted_nulls = false, nullstr = '\\N')""")
con.execute(f"COPY applicants TO '{parquet}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")
EOF
fi

# Audit folders: the generated ones read the CSV; copies read the Parquet file and the counts.
declare -A audit
for mode in selection scoring; do
    audit[csv-$mode]="$out/$name-$mode"
    audit[parquet-$mode]="$out/$name-$mode-parquet"
    audit[counts-$mode]="$out/$name-$mode-counts"
    mkdir -p "${audit[parquet-$mode]}" "${audit[counts-$mode]}"
    sed "s|^path = .*|path = \"../$name.parquet\"|" "${audit[csv-$mode]}/fairfile.toml" > "${audit[parquet-$mode]}/fairfile.toml"
    sed "s|^path = .*|counts = \"counts.csv\"|" "${audit[csv-$mode]}/fairfile.toml" > "${audit[counts-$mode]}/fairfile.toml"
done

# --- measurements ------------------------------------------------------------------------------------
declare -A wall_s rss_mb
measure() { # NAME STDOUT COMMAND...
    local name="$1" stdout="$2" file start end
    shift 2
    file="$out/sql-${name// /-}"
    start=$(date +%s%N)
    if ! /usr/bin/time -v -o "$file.time" "$@" > "$stdout" 2> "$file.stderr"; then
        echo "sql_parquet.sh: step '$name' failed: $*" >&2
        cat "$file.stderr" >&2
        exit 1
    fi
    end=$(date +%s%N)
    wall_s[$name]=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    rss_mb[$name]=$(awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$file.time")
    echo "  $name: ${wall_s[$name]} s, ${rss_mb[$name]} MB" >&2
}

cat "$csv" "$parquet" "$db" > /dev/null # warm page cache for every input
echo "measuring:" >&2
measure "wc -l" /dev/null wc -l "$csv"
for mode in selection scoring; do
    measure "csv $mode" "$out/sql-csv-$mode.json" "$fairfile" metrics "${audit[csv-$mode]}" --format json
    measure "parquet $mode" "$out/sql-parquet-$mode.json" "$fairfile" metrics "${audit[parquet-$mode]}" --format json
    "$fairfile" sql "${audit[csv-$mode]}" --dialect duckdb --table applicants > "$out/sql-$mode.sql"
    measure "duckdb $mode" /dev/null python3 -c "
import csv, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
result = con.sql(open(sys.argv[2]).read())
with open(sys.argv[3], 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(result.columns)
    w.writerows(['' if v is None else repr(v) if isinstance(v, float) else v for v in row] for row in result.fetchall())
" "$db" "$out/sql-$mode.sql" "${audit[counts-$mode]}/counts.csv"
    measure "counts $mode" "$out/sql-counts-$mode.json" "$fairfile" metrics "${audit[counts-$mode]}" --format json
done

# --- agreement: Parquet and counts against CSV, every number exact ----------------------------------
disagree=0
agreement=()
for mode in selection scoring; do
    for other in parquet counts; do
        if python3 - "$out/sql-csv-$mode.json" "$out/sql-$other-$mode.json" << 'EOF'
import json, sys
keys = ["mode", "median_score", "total", "policy", "dimensions", "fairness"]
a, b = (json.load(open(p)) for p in sys.argv[1:])
bad = [k for k in keys if a.get(k) != b.get(k)]
if bad:
    print(f"differ in {bad}", file=sys.stderr)
    sys.exit(1)
EOF
        then agreement+=("- $other vs CSV, $mode mode: identical (every count, rate, ratio, statistic)")
        else agreement+=("- $other vs CSV, $mode mode: **DIFFER**"); disagree=1
        fi
    done
done

# --- report ------------------------------------------------------------------------------------------
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
size() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }
{
    echo "### Data where it lives: $rows rows ($(date -u +%Y-%m-%d))"
    echo
    echo "| path | selection (s) | scoring (s) | peak RSS selection / scoring (MB) |"
    echo "|---|---:|---:|---|"
    echo "| \`wc -l\` on the CSV ($(size "$csv")) | ${wall_s[wc -l]} | | |"
    echo "| \`fairfile metrics\` on the CSV (streamed) | ${wall_s[csv selection]} | ${wall_s[csv scoring]} | ${rss_mb[csv selection]} / ${rss_mb[csv scoring]} |"
    echo "| \`fairfile metrics\` on Parquet ($(size "$parquet"), zstd) | ${wall_s[parquet selection]} | ${wall_s[parquet scoring]} | ${rss_mb[parquet selection]} / ${rss_mb[parquet scoring]} |"
    echo "| DuckDB push-down: engine | ${wall_s[duckdb selection]} | ${wall_s[duckdb scoring]} | ${rss_mb[duckdb selection]} / ${rss_mb[duckdb scoring]} |"
    echo "| DuckDB push-down: \`fairfile metrics\` on the counts | ${wall_s[counts selection]} | ${wall_s[counts scoring]} | ${rss_mb[counts selection]} / ${rss_mb[counts scoring]} |"
    echo "| DuckDB push-down: total | $(sum "${wall_s[duckdb selection]}" "${wall_s[counts selection]}") | $(sum "${wall_s[duckdb scoring]}" "${wall_s[counts scoring]}") | |"
    echo
    echo "Warm page cache; wall time from a monotonic clock, peak RSS from \`/usr/bin/time -v\`. The"
    echo "DuckDB engine time includes starting Python and DuckDB and writing the counts CSV; the rows"
    echo "sit in a DuckDB database file, as they would in a warehouse."
    echo
    printf '%s\n' "${agreement[@]}"
    echo
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    echo "Machine: $(nproc) CPUs (${cpu:-unknown model}), $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM."
    echo "Software: $("$fairfile" --version); DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)')."
} | tee "$out/sql-results.md"
exit "$disagree"
