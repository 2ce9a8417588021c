#!/usr/bin/env bash
# Issue case 11: the owner `berth get` records when none is named (--owner)
# is its parent process, and some parents must not be:
#   - an orphaned caller (`setsid -f berth get x`, a double fork) has init,
#     PID 1, for a parent, which never exits: the port would be pinned
#     forever. Refused, with a message that says to pass --owner.
#   - a caller whose parent lives outside its PID namespace sees a parent
#     PID of 0 (the first process of `unshare --pid`, nsenter, docker
#     exec). Refused (exit 1, not as bad input), with a hint.
# Nothing is recorded either way; with --owner the same call works.
#
# Orphans go to the nearest "child subreaper" among their ancestors, and to
# init only where there is none. Where this test's ancestors include one
# (some CI runners, systemd --user), the orphan cases run inside a PID
# namespace of their own, whose init is PID 1 (and say so).
# Usage (Bazel sh_test): orphan_owner_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BERTH_HOME=$tmp/reg
export BERTH_RANGE=27250-27259
export berth tmp

if [ "$(stat -L -c %i /proc/self/ns/pid)" != 4026531836 ]; then
  echo "SKIP: not in the initial PID namespace (run unsandboxed: no-sandbox)"
  finish
fi

wait_for() {  # wait_for CMD...: retry for up to 10 s
  for _ in $(seq 200); do "$@" && return 0; sleep 0.05; done
  return 1
}
nothing_on_file() { [ "$("$berth" list --json)" = "[]" ]; }

# orphans DIR: runs `berth get x` as an orphan twice, by `setsid -f` and
# by a double fork, each waiting until its parent is gone; their outputs
# and parents land in DIR/setsid.* and DIR/fork.*.
orphans() {
  local dir=$1
  setsid -f sh -c 'sleep 0.3; grep PPid /proc/$$/status >"$0.ppid"
    exec "$berth" get x >"$0.out" 2>"$0.err"' "$dir/setsid"
  ( (sleep 0.3; grep PPid /proc/$BASHPID/status >"$dir/fork.ppid"
     exec "$berth" get x >"$dir/fork.out" 2>"$dir/fork.err") & )
  # Until each has said something (a port, or why not).
  wait_for said "$dir/setsid" && wait_for said "$dir/fork"
}
said() { [ -s "$1.out" ] || [ -s "$1.err" ]; }
export -f orphans said wait_for

# --- where do orphans go? -------------------------------------------------------
mkdir -p "$tmp/probe"
setsid -f sh -c 'sleep 0.3; grep PPid /proc/$$/status >"$0"' "$tmp/probe/ppid"
wait_for test -s "$tmp/probe/ppid"
reaper=$(awk '{print $2}' "$tmp/probe/ppid")
mkdir -p "$tmp/o"
if [ "$reaper" = 1 ]; then
  orphans "$tmp/o"
elif why=$(unshare --pid --fork --mount-proc true 2>&1); then
  echo "note: orphans here go to PID $reaper ($(cat "/proc/$reaper/comm" 2>/dev/null)), a" \
       "subreaper; the orphan cases run in a PID namespace whose init is PID 1"
  unshare --pid --fork --mount-proc --kill-child bash -c 'orphans "$1"; true' _ "$tmp/o"
else
  echo "note: orphans here go to PID $reaper, not init, and no PID namespace can" \
       "be made ($why): the orphan cases did not run"
fi
if [ -e "$tmp/o/setsid.err" ]; then
  for how in setsid fork; do
    check "$how: the orphan's parent was PID 1 ($(cat "$tmp/o/$how.ppid"))" \
      grep -q "^PPid:[[:space:]]*1$" "$tmp/o/$how.ppid"
    check "$how: no port printed" [ ! -s "$tmp/o/$how.out" ]
    check "$how: refused, saying to pass --owner ($(cat "$tmp/o/$how.err"))" \
      grep -q "^berth: get: .*--owner" "$tmp/o/$how.err"
  done
  check "orphans recorded nothing" nothing_on_file
fi

# --- a parent outside the PID namespace: ppid 0 ----------------------------------
if why=$(unshare --pid --fork --mount-proc true 2>&1); then
  out=$(unshare --pid --fork --mount-proc "$berth" get x 2>"$tmp/err"); rc=$?
  check "first process of unshare --pid: exit 1 ($rc)" [ "$rc" -eq 1 ]
  check "first process of unshare --pid: no port printed" [ -z "$out" ]
  check "first process of unshare --pid: a hint ($(cat "$tmp/err"))" \
    grep -q "^berth: get: .*\(--owner\|berth run\)" "$tmp/err"
  unshare --pid --fork --mount-proc --kill-child sleep 60 &
  ns=$!
  init=
  wait_for eval 'init=$(pgrep -P "$ns")'
  if [ -n "$init" ]; then
    out=$(nsenter --target "$init" --pid --mount "$berth" get x 2>"$tmp/err"); rc=$?
    check "nsenter: exit 1 ($rc)" [ "$rc" -eq 1 ]
    check "nsenter: no port printed" [ -z "$out" ]
    check "nsenter: a hint ($(cat "$tmp/err"))" \
      grep -q "^berth: get: .*\(--owner\|berth run\)" "$tmp/err"
  else
    check "the namespace for nsenter started" false
  fi
  kill -9 "$ns" 2>/dev/null
  wait "$ns" 2>/dev/null
  check "a parent outside the namespace recorded nothing" nothing_on_file
else
  echo "SKIP: cannot make a PID namespace (unshare --pid: $why); the ppid 0" \
       "cases need root or CAP_SYS_ADMIN"
fi

# --- with --owner, the same call works ---------------------------------------------
port=$("$berth" get x --owner $$); rc=$?
check "with --owner the get works ($port)" [ "$rc" -eq 0 -a -n "$port" ]
check "and the entry is live" grep -q '"state": "live"' <<<"$("$berth" list --json)"

finish
