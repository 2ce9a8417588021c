#!/usr/bin/env bash
# Issue case 6 through the library: a server that took its port with the
# C++ API (berth::Acquire) inside `unshare --pid --fork` WITHOUT
# --mount-proc, where /proc belongs to the host's PID namespace, handed the
# lease across exec (Lease::InheritAcrossExec, as any embedding launcher
# does) and then closed every inherited descriptor. Neither its start token
# nor its PID namespace could be read there; its PID is one of the
# namespace's, which on the host names nobody (the test makes it so with
# ns_last_pid). While it runs, the host must not judge it stale, nor hand
# its port out again.
# (This once gave the port away: the record was written without a `pidns`
# line, which reads as format 1, judged by PID everywhere. `berth run` was
# not affected: there it stays the server's parent and keeps the lock; see
# foreign_proc_test.)
# Usage (Bazel sh_test): exec_in_foreign_proc_test.sh PATH_TO_BERTH PATH_TO_PORT_HOLDER
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(abs_path "$1")
holder=$(abs_path "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}

need_pid_namespaces
trap kill_jobs EXIT
export BERTH_HOME=$tmp/reg
export BERTH_RANGE=27230-27239
export holder tmp

# A PID no host process has, for the server to get in its namespace.
pid=
for p in $(seq 20000 30000); do
  if ! kill -0 "$p" 2>/dev/null; then pid=$p; break; fi
done
check "a PID free on the host ($pid)" [ -n "$pid" ]
export pid
unshare --pid --fork --kill-child bash -c '
  echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
  "$holder" lease web --exec-closing --no-listen --hold-ms 5000 \
    --log "$tmp/spans" --who inside --ready "$tmp/inside.port"
  exit $?' &
check "the server runs" wait_for test -s "$tmp/inside.port"
port=$(cat "$tmp/inside.port")
"$berth" list --json
check "it is on file with the PID chosen for it" \
  grep -q "\"pid\": $pid," <<<"$("$berth" list --json | grep "\"port\": $port,")"
state=$(state_of "$port")
check "host list: it is not stale while it runs ($state)" [ "$state" != stale ]
got=$("$berth" get other --port "$port" --owner $$ 2>/dev/null)
check "its port is not handed out while it runs ($got vs $port)" [ "$got" != "$port" ]
"$berth" release other >/dev/null 2>&1
wait
check "the server held its port to the end" grep -q "^span $port " "$tmp/spans"

finish
