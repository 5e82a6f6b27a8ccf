#!/bin/sh
# RUSTC_WRAPPER for fuzz builds on a stable toolchain: adds libFuzzer's coverage instrumentation
# (SanitizerCoverage, stable -C flags) to fairfile and the fuzz targets only, so every dependency
# keeps the artifacts of the main crate's ordinary dev build. No -Z flag, no nightly.
rustc="$1"; shift
case " $* " in
  *" --crate-name fairfile "*|*"fuzz_targets/"*)
    exec "$rustc" "$@" \
      -Cpasses=sancov-module \
      -Cllvm-args=-sanitizer-coverage-level=4 \
      -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
      -Cllvm-args=-sanitizer-coverage-pc-table \
      -Cllvm-args=-sanitizer-coverage-trace-compares \
      --cfg fuzzing ;;
  *) exec "$rustc" "$@" ;;
esac
