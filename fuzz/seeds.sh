#!/usr/bin/env bash
# Puts seed inputs for a fuzz target into its corpus (once): pieces of up to
# 16 KiB of every file in sample-logs/ and the real logs beside the repo.
set -euo pipefail
target=$1 corpus=$2 root=$3
[ -e "$corpus/.seeded" ] && exit 0
n=0
seed() { # seed NAME PREFIX-BYTE-OR-EMPTY FILE
    local name=$1 prefix=$2 file=$3
    { [ -n "$prefix" ] && printf "\\x$prefix"; head -c 16384 "$file"; } > "$corpus/seed-$name"
    n=$((n + 1))
}
files=$(find "$root/sample-logs" "$root/../shared/real-logs" -type f \
    ! -name '*.gz' ! -name '*.SOURCE.txt' ! -name '*.md' 2>/dev/null | sort)
i=0
for f in $files; do
    i=$((i + 1))
    case $target in
        scan) seed "$i" "" "$f" ;;
        json_event) # each line that holds a platform event, one seed each
            j=0
            while IFS= read -r line && [ $j -lt 40 ]; do
                j=$((j + 1)) n=$((n + 1))
                printf '%s' "$line" > "$corpus/seed-$i-$j"
            done < <(grep -a '"platform\.' "$f" | cut -c1-16384) ;;
        tables)
            case $f in
                *.csv|*.csv.txt) seed "$i-a" 00 "$f"; seed "$i-b" 01 "$f" ;;
                *lambda-perf*.json) seed "$i" 03 "$f" ;;
                *.json|*.json.txt) seed "$i" 02 "$f" ;;
            esac ;;
        subscription) seed "$i" 00 "$f" ;;
        *) echo "unknown target $target" >&2; exit 2 ;;
    esac
done
touch "$corpus/.seeded"
echo "seeded $target with $n inputs" >&2
