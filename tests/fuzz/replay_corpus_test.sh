#!/usr/bin/env bash
# Replays the seed corpus through the fuzz target built with the standalone
# driver: every file must pass the codec check (a failure aborts).
# Usage: replay_corpus_test.sh CODEC_FUZZER FILE...
set -euo pipefail
fuzzer=$1; shift
[ "$#" -gt 0 ] || { echo "no corpus files given" >&2; exit 1; }
out=$("$fuzzer" "$@")
echo "$out"
[ "$out" = "ran $# inputs" ]
