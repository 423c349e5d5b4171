#!/usr/bin/env bash
# Builds the functions listed in a manifest into bench-runner/build/<name>/ (the
# task root bench-runner runs), and bench-runner itself. Records each build's
# time in bench-runner/build/<name>.build-seconds and its handler in
# bench-runner/build/<name>.handler.
# Usage: bench-runner/build.sh [MANIFEST] [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
manifest="${1:-bench-runner/functions.manifest}"
shift || true
cargo build --release --locked -q -p bench-runner
mkdir -p bench-runner/build
trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
while IFS='|' read -r name build handler; do
  name="$(trim "$name")"
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ $# -gt 0 && " $* " != *" $name "* ]]; then continue; fi
  export OUT="bench-runner/build/$name"
  rm -rf "$OUT" && mkdir -p "$OUT"
  start=$(date +%s.%N)
  bash -c "$build"
  end=$(date +%s.%N)
  awk "BEGIN { printf \"%.1f\\n\", $end - $start }" > "bench-runner/build/$name.build-seconds"
  trim "$handler" > "bench-runner/build/$name.handler"
  echo "built $name in $(cat "bench-runner/build/$name.build-seconds") s -> $OUT"
done < "$manifest"
