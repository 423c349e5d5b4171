#!/usr/bin/env bash
# Publishes one .NET variant of dotnet/Function into $OUT (the task root bench-runner runs), as a
# bench-runner manifest line asks. The variants differ only in these publish settings.
#
#   OUT=bench-runner/build/NAME bench-runner/dotnet-publish.sh TFM MODE [RID]
#     TFM   net8.0 | net9.0 | net10.0
#     MODE  jit (Regular) | r2r (ReadyToRun) | aot (NativeAOT: one stripped executable `bootstrap`,
#           the provided.al2023 layout)
#     RID   linux-x64 (default) | linux-arm64 (cross-compiled; NativeAOT needs Debian's aarch64 toolchain)
#
# jit and r2r publish framework-dependent, the package Lambda's managed runtime (dotnet8, dotnet10) gets.
# Where this machine has no shared runtime of that version (only .NET 10 is installed here), the variant
# is also published self-contained into $OUT to run locally, and the framework-dependent package goes to
# $OUT.lambda for its size. Restore and publish are timed separately, from a clean obj/, with no MSBuild
# node or compiler server reuse. Writes $OUT.info (key=value): restore/publish seconds, the runtime and
# mode, which folder is the Lambda package and which file is the executable.
set -euo pipefail
cd "$(dirname "$0")/.."
tfm="${1:?usage: dotnet-publish.sh TFM MODE [RID]}"
mode="${2:?usage: dotnet-publish.sh TFM MODE [RID]}"
rid="${3:-linux-x64}"
: "${OUT:?OUT must name the task root to fill}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1
name="$(basename "$OUT")"
major="${tfm#net}"; major="${major%%.*}"
project=dotnet/Function/Function.csproj
common=(-nodeReuse:false -p:UseSharedCompilation=false -p:DotnetTfm="$tfm" -r "$rid" -v:minimal)
case "$mode" in
  jit) label=JIT; props=() ;;
  r2r) label=ReadyToRun; props=(-p:PublishReadyToRun=true) ;;
  aot) label=NativeAOT; props=(-p:PublishAot=true) ;;
  *) echo "dotnet-publish.sh: MODE must be jit, r2r or aot, not '$mode'" >&2; exit 2 ;;
esac

now() { date +%s.%N; }
seconds() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }

# One publish: clean obj/bin of this setting, restore, publish; prints "restore publish" seconds.
publish() {
  local variant="$1" dest="$2"; shift 2
  rm -rf "dotnet/.build/$variant" "$dest"
  local t0 t1 t2
  t0=$(now)
  dotnet restore "$project" "${common[@]}" -p:Variant="$variant" "$@" >&2
  t1=$(now)
  dotnet publish "$project" "${common[@]}" -p:Variant="$variant" "$@" -c Release --no-restore -o "$dest" >&2
  t2=$(now)
  # A deployment package holds no symbols or docs (StripSymbols leaves bootstrap.dbg beside the binary).
  find "$dest" \( -name '*.dbg' -o -name '*.pdb' -o -name '*.xml' \) -delete
  echo "$(seconds "$t0" "$t1") $(seconds "$t1" "$t2")"
}

# Cross-compiling NativeAOT for linux-arm64 on an x86_64 host: Debian's aarch64 gcc links it (through a
# driver that drops clang's --target flag) and aarch64 objcopy strips it; it runs here under qemu-user.
host_arch="$(uname -m)"
emulated=""
if [ "$rid" = linux-arm64 ] && [ "$host_arch" != aarch64 ]; then
  emulated="qemu-user"
  if [ "$mode" = aot ]; then
    command -v aarch64-linux-gnu-gcc >/dev/null || {
      echo "dotnet-publish.sh: linux-arm64 NativeAOT needs Debian's cross toolchain: apt-get install gcc-aarch64-linux-gnu" >&2
      exit 1
    }
    props+=(-p:CppCompilerAndLinker="$PWD/bench-runner/aarch64-linux-gnu-cc" -p:ObjCopyName=aarch64-linux-gnu-objcopy)
  fi
fi

self_contained=false
if [ "$mode" = aot ]; then
  self_contained=true # always, but .NET 9's ILLink targets want it said (NETSDK1102 otherwise)
elif ! dotnet --list-runtimes | grep -q "^Microsoft.NETCore.App $major\."; then
  self_contained=true
fi

read -r restore_s publish_s < <(publish "$name-$rid" "$OUT" "${props[@]}" -p:SelfContained="$self_contained")
lambda_package="$OUT"
if [ "$self_contained" = true ] && [ "$mode" != aot ]; then
  # What Lambda's managed runtime gets: the framework-dependent package (its size is what is reported).
  read -r r2 p2 < <(publish "$name-$rid-fd" "$OUT.lambda" "${props[@]}" -p:SelfContained=false)
  lambda_package="$OUT.lambda"
  echo "also published framework-dependent (for the Lambda package size) in $r2 + $p2 s" >&2
fi
case "$mode" in
  aot) exe=bootstrap; if [ -n "$emulated" ]; then command="qemu-aarch64 ./bootstrap"; else command=""; fi ;;
  *) exe=Function.dll; if [ "$lambda_package" != "$OUT" ]; then command="./Function"; else command="dotnet Function.dll"; fi ;;
esac
if [ "$mode" = aot ] && [ "$(ls -A "$OUT")" != bootstrap ]; then
  echo "dotnet-publish.sh: a NativeAOT package must hold one executable named bootstrap; $OUT holds: $(ls -A "$OUT" | tr '\n' ' ')" >&2
  exit 1
fi
cat > "$OUT.info" <<INFO
restore_seconds=$restore_s
publish_seconds=$publish_s
runtime=.NET $major
build_mode=$label
rid=$rid
self_contained=$self_contained
lambda_package=$lambda_package
exe=$exe
command=$command
emulated=$emulated
INFO
echo "published $name: .NET $major $label $rid (restore $restore_s s, publish $publish_s s, self-contained $self_contained)" >&2
