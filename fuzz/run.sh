#!/usr/bin/env bash
# Runs one fuzz target for SECONDS: fuzz/run.sh TARGET SECONDS [libFuzzer args...]
# Targets: scan, json_event, tables, subscription. Seeds come from sample-logs/
# and ../shared/real-logs/ (when present); crashes land in fuzz/artifacts/TARGET/.
# Builds on stable Rust: coverage instrumentation comes from RUSTFLAGS, and the
# explicit --target keeps build scripts and proc macros uninstrumented.
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer args...]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer args...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
triple=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
cargo build --manifest-path "$here/Cargo.toml" --release --target "$triple" --bin "$target"

corpus="$here/corpus/$target"
artifacts="$here/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
"$here/seeds.sh" "$target" "$corpus" "$root"
# -rss_limit_mb: an input that makes a parser hold far more than it reads is a bug.
exec "$here/target/$triple/release/$target" "$corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
