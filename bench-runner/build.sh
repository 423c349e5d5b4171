#!/usr/bin/env bash
# Builds the functions a manifest lists into bench-runner/build/<name>/ (the task root bench-runner
# runs), and bench-runner itself.
#
#   bench-runner/build.sh [MANIFEST] [NAME...]      (default manifest: bench-runner/functions.manifest)
#
# A manifest line is `name | sources | build command | handler [| more columns for the demo scripts]`.
# The build command runs from the repository root with $OUT set to the task root to fill; it may write
# $OUT.info (key=value: restore_seconds, publish_seconds, runtime, build_mode, lambda_package, exe,
# command), as bench-runner/dotnet-publish.sh does.
#
# Cached: a line is rebuilt only when its text, the content of its sources (files and folders) or the
# toolchains' versions changed; `FORCE=1` rebuilds anyway. After a build this script completes
# bench-runner/build/<name>.info with what a deployment zip would hold: package_bytes (the zip's size),
# package_files, exe_bytes, build_seconds; bench-runner reads it with --build-info.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest="${1:-bench-runner/functions.manifest}"
shift || true
cargo build --release --locked -q -p bench-runner
mkdir -p bench-runner/build
trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
toolchains="$(rustc --version 2>/dev/null; dotnet --version 2>/dev/null || true)"

# The cache key of one manifest line: the line, the toolchains and every source file's content.
cache_key() {
  local line="$1" sources="$2"
  {
    printf '%s\n%s\n' "$line" "$toolchains"
    # shellcheck disable=SC2086 # sources is a list of paths
    find $sources -type f -not -path '*/.build/*' -not -path '*/bin/*' -not -path '*/obj/*' -print0 2>/dev/null \
      | sort -z | xargs -0 -r sha256sum
  } | sha256sum | cut -c1-32
}

info_get() { [ -f "$1" ] || return 0; sed -n "s/^$2=//p" "$1" | tail -1; }

while IFS= read -r line; do
  IFS='|' read -r name sources build handler _ <<<"$line"
  name="$(trim "$name")"
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ $# -gt 0 && " $* " != *" $name "* ]]; then continue; fi
  export OUT="bench-runner/build/$name"
  info="$OUT.info"
  key="$(cache_key "$line" "$(trim "$sources")")"
  if [[ -z "${FORCE:-}" && -d "$OUT" && "$(info_get "$info" cache_key)" == "$key" ]]; then
    echo "cached $name (sources unchanged) -> $OUT"
    continue
  fi
  rm -rf "$OUT" "$OUT.lambda" "$info" && mkdir -p "$OUT"
  start=$(date +%s.%N)
  bash -c "$build"
  end=$(date +%s.%N)
  trim "$handler" > "$OUT.handler"
  # The deployment package: a zip of the Lambda package folder, as `zip -r` (deflate) makes it.
  package="$(info_get "$info" lambda_package)"; package="${package:-$OUT}"
  zip_file="$(mktemp -u --suffix .zip)"
  (cd "$package" && zip -q -r -X "$zip_file" .)
  exe="$(info_get "$info" exe)"; exe="${exe:-bootstrap}"
  exe_bytes=""; [[ -f "$OUT/$exe" ]] && exe_bytes="$(stat -c %s "$OUT/$exe")"
  {
    echo "build_seconds=$(awk "BEGIN { printf \"%.1f\", $end - $start }")"
    echo "package_bytes=$(stat -c %s "$zip_file")"
    echo "package_files=$(find "$package" -type f | wc -l)"
    echo "exe_bytes=$exe_bytes"
    [[ "$package" != "$OUT" ]] && echo "local_package_bytes=$(cd "$OUT" && zip -q -r -X - . | wc -c)"
    echo "cache_key=$key"
  } >> "$info"
  rm -f "$zip_file"
  echo "built $name in $(info_get "$info" build_seconds) s -> $OUT ($(info_get "$info" package_bytes) bytes zipped)"
done < "$manifest"
