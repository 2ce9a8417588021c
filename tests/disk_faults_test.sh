#!/usr/bin/env bash
# Disk faults through the berth binary: a registry on a file system that
# turned read-only, one that was read-only from the start, and one that is
# full. Whatever fails, the previous registry stays byte for byte (the
# memory, `registry`, and every lease record, `leases/PORT.lock`), no temp
# file is left, and the error is one line starting "berth: " with exit 1.
# On a full file system a release, which only empties a lease file, works.
# (A file size limit, RLIMIT_FSIZE, is
# covered by cli_test and registry_test.)
#
# Each case mounts a tmpfs of its own, in a private mount namespace that the
# script enters first (unshare -m), so nothing outside sees the mounts and
# they go away with the test. Where mounting is not allowed the test says
# why and passes with nothing checked.
# Usage (Bazel sh_test): disk_faults_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(abs_path "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}

in_private_mount_ns "$@"
mkdir -p "$tmp/probe"
if ! why=$(mount -t tmpfs -o size=64k tmpfs "$tmp/probe" 2>&1); then
  echo "SKIP: cannot mount a tmpfs here ($why)"
  finish
fi
umount "$tmp/probe"

# run CMD...: sets $out, $err, $rc
run() {
  out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err")
}
one_error_line() {  # stderr is exactly one line starting "berth: "
  [[ "$err" == berth:* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}
no_temp_files() { ! ls -A "$1" | grep -q '\.tmp-'; }
# snapshot DIR: DIR's registry, byte for byte: the memory and every lease
# record (an empty lease file holds nothing; lease files are never removed).
snapshot() {
  { cat "$1/registry"
    for f in "$1"/leases/*.lock; do
      [ -s "$f" ] && { echo "== $f"; cat "$f"; }
    done; } 2>/dev/null
}

# fails_cleanly NAME DIR CMD...: CMD fails with exit 1 and one error line,
# and DIR's registry is what $tmp/before holds.
fails_cleanly() {
  local name=$1 dir=$2; shift 2
  run "$@"
  check "$name: exit 1 (got $rc)" [ "$rc" -eq 1 ]
  check "$name: one error line ($err)" one_error_line
  check "$name: registry unchanged" cmp -s <(snapshot "$dir") "$tmp/before"
  check "$name: no temp file left" no_temp_files "$dir"
}

# --- a file system that turns read-only under a registry ----------------------
mkdir -p "$tmp/ro"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$tmp/ro"
reg=$tmp/ro/berth
run "$berth" get web --registry "$reg" --owner $$
check "read-only: set-up get works" [ "$rc" -eq 0 ]
"$berth" get api --registry "$reg" --owner $$ >/dev/null
sleep 60 & gone=$!
"$berth" get gone --registry "$reg" --owner $gone >/dev/null
kill -9 $gone; wait $gone 2>/dev/null
snapshot "$reg" >"$tmp/before"
mount -o remount,ro "$tmp/ro"
check "read-only: the mount is read-only" bash -c "! touch '$reg/x' 2>/dev/null"
fails_cleanly "read-only get" "$reg" "$berth" get new --registry "$reg" --owner $$
check "read-only: the error says why ($err)" grep -qi "read-only file system" <<<"$err"
fails_cleanly "read-only get of a held app" "$reg" \
  "$berth" get web --registry "$reg" --owner $$
fails_cleanly "read-only release" "$reg" "$berth" release web --registry "$reg"
# (a stale entry is there to drop: prune must write)
fails_cleanly "read-only prune" "$reg" "$berth" prune --registry "$reg"
run "$berth" list --registry "$reg"
echo "berth list on a read-only registry: exit $rc; $out$err"
check "read-only list: lists or fails in one line" \
  bash -c '[ "$0" -eq 0 ] || [ "$0" -eq 1 ]' "$rc"
[ "$rc" -eq 0 ] || check "read-only list: one error line ($err)" one_error_line
mount -o remount,rw "$tmp/ro"
run "$berth" get new --registry "$reg" --owner $$
check "writable again: get works" [ "$rc" -eq 0 ]

# --- read-only from the start: the directory cannot even be made ---------------
mkdir -p "$tmp/ro2"
mount -t tmpfs -o ro tmpfs "$tmp/ro2"
run "$berth" get web --registry "$tmp/ro2/berth" --owner $$
check "read-only from the start: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "read-only from the start: one error line ($err)" one_error_line
check "read-only from the start: names the directory" grep -q "$tmp/ro2/berth" <<<"$err"

# --- a full file system -------------------------------------------------------
mkdir -p "$tmp/full"
mount -t tmpfs -o size=64k tmpfs "$tmp/full"
reg=$tmp/full/berth
"$berth" get web --registry "$reg" --owner $$ >/dev/null
"$berth" get api --registry "$reg" --owner $$ >/dev/null
snapshot "$reg" >"$tmp/before"
dd if=/dev/zero of="$tmp/full/filler" bs=4k 2>/dev/null
check "full: not one more byte fits" bash -c "! printf x 2>/dev/null >'$tmp/full/one'"
rm -f "$tmp/full/one"
fails_cleanly "full get" "$reg" "$berth" get new --registry "$reg" --owner $$
check "full: the error says why ($err)" grep -qi "no space left" <<<"$err"
# A release only empties a lease file, which needs no space (since format 2;
# before, it rewrote the registry and failed here).
run "$berth" release api --registry "$reg"
check "full release: works (exit $rc: $err)" [ "$rc" -eq 0 ]
check "full release: api's record is gone" \
  bash -c '! grep -qs "^app api$" "$0"/leases/*.lock' "$reg"
rm "$tmp/full/filler"
run "$berth" get new --registry "$reg" --owner $$
check "space again: get works" [ "$rc" -eq 0 ]
run "$berth" list --registry "$reg" --json
check "space again: web and new are held ($out)" \
  [ "$(grep -o '"state": "live"' <<<"$out" | wc -l)" -eq 2 ]
check "space again: the memory has all three apps" \
  [ "$(grep -c '^remember ' "$reg/registry")" -eq 3 ]

finish
