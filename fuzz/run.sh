#!/bin/sh
# Build the fuzz targets on the stable toolchain and run them with libFuzzer.
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 600 s each, every target, two at a time)
# Working corpora go to fuzz/corpus/<target>, crashes to fuzz/artifacts/<target>/, logs to
# fuzz/logs/ (all git-ignored); fuzz/seeds/<target> is the committed seed corpus.
set -eu
cd "$(dirname "$0")"
seconds=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"config markdown evidence framework counts rows_csv parquet xlsx ledger pdf"}
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
# Coverage instrumentation for fairfile and the targets only (rustc-cov.sh); no nightly needed.
RUSTC_WRAPPER="$PWD/rustc-cov.sh" CARGO_TARGET_DIR="$target_dir" cargo build --bins
mkdir -p corpus logs artifacts
run_one() {
    t=$1
    mkdir -p "corpus/$t" "artifacts/$t"
    nice -n 15 "$target_dir/debug/$t" "corpus/$t" "seeds/$t" \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"logs/$t.log" 2>&1 || true
    echo "$t: $(grep -E '^stat::number_of_executed_units' "logs/$t.log" || echo 'no stats') $(ls "artifacts/$t" | wc -l) artifacts"
}
# Two at a time (the machine is shared).
set -- $targets
while [ $# -gt 0 ]; do
    a=$1; shift
    if [ $# -gt 0 ]; then b=$1; shift; run_one "$a" & run_one "$b"; wait
    else run_one "$a"; fi
done
