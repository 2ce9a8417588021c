#!/usr/bin/env bash
# A hostile environment through the berth binary: a registry directory that
# is a symlink, another user's, or writable by others; BERTH_HOME empty or
# missing; registry.lock a directory; registry a symlink or a FIFO; leases a
# file. Every refusal is one line starting "berth: ", with exit 1 (a state
# the user must fix) or 2 (bad input), and nothing is written where it
# should not be. (A relative BERTH_HOME is in cli_test.) The registry
# directory holds `registry` (the memory of which port each app had),
# `registry.lock` and `leases/PORT.lock` (each port's lock and record).
# Usage (Bazel sh_test): hostile_env_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
umask 022

# run CMD...: sets $out, $err, $rc. Ten seconds at most: berth must not block.
run() {
  out=$(timeout 10 "$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err")
}
one_error_line() {  # stderr is exactly one line starting "berth: "
  [[ "$err" == berth:* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}
mode() { stat -c %a "$1"; }

# refused NAME DIR WHY: every command on registry DIR exits 1 with one line
# that contains WHY.
refused() {
  local name=$1 dir=$2 why=$3 c
  for c in "get web --owner $$" "release web" "prune" "list" \
           "wait web --timeout 0.2" "stop web" "url web"; do
    # shellcheck disable=SC2086  # $c is words on purpose
    run "$berth" $c --registry "$dir"
    check "$name: ${c%% *} exits 1 (got $rc)" [ "$rc" -eq 1 ]
    check "$name: ${c%% *} one error line ($err)" one_error_line
    check "$name: ${c%% *} says why" grep -q "$why" <<<"$err"
  done
}

# --- the registry directory is a symlink ------------------------------------------
mkdir -m 700 "$tmp/real"
ln -s "$tmp/real" "$tmp/link"
refused "symlinked directory" "$tmp/link" "is a symbolic link"
check "symlinked directory: nothing written through the link" \
  [ -z "$(ls -A "$tmp/real")" ]
run env BERTH_HOME="$tmp/link" "$berth" get web --owner $$
check "symlinked BERTH_HOME: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "symlinked BERTH_HOME: one error line" one_error_line
# A symlink higher up the path is fine (macOS's /var is one).
run "$berth" get web --owner $$ --registry "$tmp/link/berth"
check "symlink among the parents: fine ($err)" [ "$rc" -eq 0 ]

# --- writable by others ----------------------------------------------------------
for m in 777 1777 770 702; do
  mkdir -m "$m" "$tmp/open$m"
  refused "mode $m directory" "$tmp/open$m" "writable by other users"
  check "mode $m directory: nothing written" [ -z "$(ls -A "$tmp/open$m")" ]
done

# --- owned by another user ----------------------------------------------------------
mkdir -m 700 "$tmp/theirs"
if why=$(chown 65534:65534 "$tmp/theirs" 2>&1); then
  refused "another user's directory" "$tmp/theirs" "owned by uid 65534"
  check "another user's directory: nothing written" [ -z "$(ls -A "$tmp/theirs")" ]
else
  # Bazel's Linux sandbox maps only uid 0 (EINVAL); BUILD runs this test
  # outside it for that reason.
  echo "SKIP: another user's directory: chown to uid 65534 failed ($why)"
fi

# --- BERTH_HOME empty, or a directory that does not exist yet ----------------------
run env BERTH_HOME= "$berth" get web --owner $$
check "empty BERTH_HOME: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "empty BERTH_HOME: one error line ($err)" one_error_line
check "empty BERTH_HOME: names it" grep -q "BERTH_HOME" <<<"$err"
cd "$tmp" || exit 1
run "$berth" get web --owner $$ --registry rel/dir
check "relative --registry: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "relative --registry: one error line ($err)" one_error_line
check "relative --registry: nothing made" [ ! -e "$tmp/rel" ]
cd - >/dev/null || exit 1

run env BERTH_HOME="$tmp/new/a/b" "$berth" get web --owner $$
check "missing BERTH_HOME: created, get works ($err)" [ "$rc" -eq 0 ]
for d in new new/a new/a/b new/a/b/leases; do
  check "missing BERTH_HOME: $d made 0700 (is $(mode "$tmp/$d"))" \
    [ "$(mode "$tmp/$d")" = 700 ]
done
check "registry is 0600" [ "$(mode "$tmp/new/a/b/registry")" = 600 ]
check "registry.lock is 0600" [ "$(mode "$tmp/new/a/b/registry.lock")" = 600 ]
for f in "$tmp"/new/a/b/leases/*.lock; do
  check "$(basename "$f") is 0600 (is $(mode "$f"))" [ "$(mode "$f")" = 600 ]
done
run env BERTH_HOME="$tmp/never" "$berth" list
check "list of a registry never made: exit 0" [ "$rc" -eq 0 ]
check "list of a registry never made: makes nothing" [ ! -e "$tmp/never" ]

# --- registry.lock is a directory ----------------------------------------------------
# registry.lock guards only the memory of which port each app had. Since
# format 2 it is taken only to remember a new app's port, and when it
# cannot be taken berth goes on without remembering (stickiness is not
# worth failing for): every command works, and the memory and the lock
# stay as they are. (Format 1 took it for everything, and refused here.)
reg=$tmp/lockdir
"$berth" get web --owner $$ --registry "$reg" >/dev/null
cp "$reg/registry" "$tmp/before"
rm "$reg/registry.lock"
mkdir "$reg/registry.lock"
for c in "get web --owner $$" "get newapp --owner $$" "release web" "prune" "list"; do
  # shellcheck disable=SC2086  # $c is words on purpose
  run "$berth" $c --registry "$reg"
  check "registry.lock a directory: ${c%% --*} works (exit $rc: $err)" [ "$rc" -eq 0 ]
  check "registry.lock a directory: ${c%% --*} is silent" [ -z "$err" ]
done
check "registry.lock a directory: memory unchanged" cmp -s "$reg/registry" "$tmp/before"
check "registry.lock a directory: still a directory" [ -d "$reg/registry.lock" ]

# --- leases is a file -----------------------------------------------------------------
reg=$tmp/leasefile
"$berth" get web --owner $$ --registry "$reg" >/dev/null
rm -r "$reg/leases"
: >"$reg/leases"
run "$berth" get api --owner $$ --registry "$reg"
check "leases a file: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "leases a file: one error line ($err)" one_error_line
check "leases a file: says so" grep -q "leases exists and is not a directory" <<<"$err"

# --- registry is a symlink to a file elsewhere: never written through ----------------
reg=$tmp/linkfile
"$berth" get web --owner $$ --registry "$reg" >/dev/null
printf 'precious\n' >"$tmp/precious"
rm "$reg/registry"
ln -s "$tmp/precious" "$reg/registry"
run "$berth" get api --owner $$ --registry "$reg"
check "registry a symlink: get works (exit $rc)" [ "$rc" -eq 0 ]
check "registry a symlink: one warning line ($err)" one_error_line
check "registry a symlink: its target untouched" \
  [ "$(cat "$tmp/precious")" = precious ]
check "registry a symlink: replaced by a real file" \
  [ -f "$reg/registry" -a ! -L "$reg/registry" ]
check "registry a symlink: the link moved aside" \
  bash -c 'ls -A "$0" | grep -q "^registry.corrupt-"' "$reg"

# --- registry is a FIFO: nothing blocks --------------------------------------------
reg=$tmp/fifo
"$berth" get web --owner $$ --registry "$reg" >/dev/null
rm "$reg/registry"
mkfifo "$reg/registry"
run "$berth" list --registry "$reg"
check "registry a FIFO: list does not block (exit $rc)" [ "$rc" -eq 0 ]
run "$berth" get api --owner $$ --registry "$reg"
check "registry a FIFO: get does not block (exit $rc)" [ "$rc" -eq 0 ]
check "registry a FIFO: replaced by a real file" [ -f "$reg/registry" ]

finish
