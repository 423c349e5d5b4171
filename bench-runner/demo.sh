#!/usr/bin/env bash
# One command: build the test functions, run each cold and warm under a memory
# size, and report with lambdastat.
# Usage: bench-runner/demo.sh [MEMORY_MB] [COLD] [WARM]
set -euo pipefail
cd "$(dirname "$0")/.."
memory="${1:-256}"; cold="${2:-5}"; warm="${3:-20}"
bench-runner/build.sh
rm -rf bench-results
for name in rust-hello curl-bootstrap; do
  target/release/bench-runner run --function "$name" --task-root "bench-runner/build/$name" \
    --handler "$(cat "bench-runner/build/$name.handler")" --build-seconds "$(cat "bench-runner/build/$name.build-seconds")" \
    --memory "$memory" --cold "$cold" --warm "$warm"
done
cargo run --release --locked -q -p lambdastat -- report bench-results/aws/lambda --out bench-results/report
echo "report: bench-results/report/index.html (benchmark rows: bench-results/benchmark.csv)"
