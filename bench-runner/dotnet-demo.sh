#!/usr/bin/env bash
# One command for the .NET comparison: builds every variant in bench-runner/dotnet.manifest (cached),
# runs each against a local DynamoDB (moto's server on loopback, started and stopped by bench-runner)
# with COLD fresh environments and one environment of 1 cold + WARM warm invocations (as the published
# invoker does), at the published memory sizes with Lambda's CPU share (memory / 1769 of a CPU), then
# writes a lambdastat report with the variants' labels and Regular .NET 8 as the baseline.
#
#   bench-runner/dotnet-demo.sh [COLD] [WARM] [NAME...]     (defaults: 10 cold, 100 warm, every variant)
#
# Output: bench-results/dotnet/{benchmark.csv, aws/lambda/<function>/<stream>/000000.gz, report/}.
# Where Debian's aarch64 cross toolchain and qemu-user are installed, the linux-arm64 NativeAOT variant
# (bench-runner/dotnet-arm64.manifest) is cross-built and run under emulation into
# bench-results/dotnet/arm64/, a report of its own: emulated timings stay out of the comparison.
# Needs the .NET SDK 10, gcc (or clang), zlib1g-dev, zip, python3 with moto, and the AWS CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
cold="${1:-10}"; warm="${2:-100}"
shift $(( $# < 2 ? $# : 2 ))
out="${DEMO_OUT:-bench-results/dotnet}"
trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
info_get() { [ -f "$1" ] || return 0; sed -n "s/^$2=//p" "$1" | tail -1; }

# Runs every variant of MANIFEST (or those named) into DIR; prints the label of Regular .NET 8 (or the first).
run_variants() {
  local manifest="$1" dir="$2" baseline="" name handler memory label info command runtime major args
  shift 2
  while IFS='|' read -r name _ _ handler memory label _; do
    name="$(trim "$name")"
    [[ -z "$name" || "$name" == \#* ]] && continue
    if [[ $# -gt 0 && " $* " != *" $name "* ]]; then continue; fi
    label="$(trim "$label")"; memory="$(trim "$memory")"
    info="bench-runner/build/$name.info"
    command="$(info_get "$info" command)"
    runtime="$(info_get "$info" runtime)"; major="${runtime#.NET }"
    args=(--function "$name" --task-root "bench-runner/build/$name" --handler "$(trim "$handler")"
          --memory "$memory" --cold "$cold" --warm "$((warm + 1))" --timeout 30 --variant "$label"
          --build-info "$info" --dynamodb-table items --out "$dir/aws/lambda" --csv "$dir/benchmark.csv"
          # .NET sees 2 vCPUs on Lambda up to 3,008 MB, whatever its CPU share; under a local cgroup
          # quota it would count 1. The GC heap limit is set by the runtime client from the memory size.
          --env DOTNET_PROCESSOR_COUNT=2)
    if [[ -n "$command" ]]; then
      args+=(--command "$command")
    fi
    if [[ "$command" == *Function* ]]; then
      # A managed runtime (dotnet8, dotnet10) runs the executable assembly.
      args+=(--runtime-version "dotnet:$major.local" --env "AWS_EXECUTION_ENV=AWS_Lambda_dotnet$major")
    fi
    target/release/bench-runner run "${args[@]}" >&2
    [[ -z "$baseline" || "$label" == "Regular .NET 8" ]] && baseline="$label"
  done < "$manifest"
  printf '%s' "$baseline"
}

bench-runner/build.sh bench-runner/dotnet.manifest "$@"
cargo build --release --locked -q -p lambdastat
rm -rf "$out"
baseline="$(run_variants bench-runner/dotnet.manifest "$out" "$@")"
target/release/lambdastat report "$out/benchmark.csv" --out "$out/report" --baseline "$baseline" \
  --title ".NET on Lambda, emulated locally: Regular vs ReadyToRun vs NativeAOT"
echo "report: $out/report/index.html (and report.md, summary.json); logs: $out/aws/lambda; rows: $out/benchmark.csv"

if [[ $# -eq 0 || " $* " == *"-arm64 "* ]]; then
  if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    bench-runner/build.sh bench-runner/dotnet-arm64.manifest
    run_variants bench-runner/dotnet-arm64.manifest "$out/arm64" >/dev/null
    target/release/lambdastat report "$out/arm64/benchmark.csv" --out "$out/arm64/report" \
      --title "NativeAOT for linux-arm64, cross-built, run under qemu-user (timings emulated)"
    echo "arm64: $out/arm64/report/index.html (a functional check under qemu-user; its timings are not comparable)"
  else
    echo "arm64 skipped: install Debian's gcc-aarch64-linux-gnu and qemu-user (and, to run it, libc6:arm64 and libssl3:arm64 after dpkg --add-architecture arm64)"
  fi
fi
