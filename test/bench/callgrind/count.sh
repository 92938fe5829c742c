#!/bin/sh
# count.sh <case> <n> [node flags...]: total instructions (Ir) of one run of rewrap-floor.mjs under
# callgrind; the profile's path on stderr (for callgrind_annotate).
c=$1; n=$2; shift 2
out=$(mktemp /tmp/cg.XXXXXX)
valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$out" node --single-threaded "$@" "$(dirname "$0")/rewrap-floor.mjs" "$c" "$n" 2>&1 | grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'
echo "$out" >&2
