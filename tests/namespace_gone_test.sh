#!/usr/bin/env bash
# Entries must not outlive their PID namespace forever (DESIGN.md, Liveness
# rules; issue 9, "Identity that survives namespaces"). A server takes its
# port with the C++ API in a PID namespace of its own (a container, bazel
# test's sandbox), hands the lease across exec (Lease::InheritAcrossExec)
# and closes every inherited descriptor: its record is "lock+pid". The host
# (the initial PID namespace, which sees every process) finds the process
# that namespace numbers so and lists it live while it runs. Then the
# namespace is killed, every process in it gone. Its port must be handed out
# again: once nothing in its namespace is that process, the entry is stale.
# (It once stayed unknown for good, losing the port until a reboot: every
# bazel test that started a server this way leaked one.)
# Usage (Bazel sh_test): namespace_gone_test.sh PATH_TO_BERTH PATH_TO_PORT_HOLDER
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(abs_path "$1")
holder=$(abs_path "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}

need_pid_namespaces --mount-proc
trap kill_jobs EXIT
export BERTH_HOME=$tmp/reg
export BERTH_RANGE=27240-27249
# Marks this test's processes apart from other tests' on the machine.
tag=gone-$$
export holder tmp tag

gets_port() {  # gets_port P: a get on the host asking for P gets it
  local got
  got=$("$berth" get next --port "$1" --owner $$ 2>/dev/null)
  "$berth" release next >/dev/null 2>&1
  [ "$got" = "$1" ]
}

unshare --pid --fork --mount-proc bash -c '
  "$holder" lease web --exec-closing --no-listen --hold-ms 60000 \
    --log /dev/null --who "inside-$tag" --ready "$tmp/inside.port"
  exit $?' &
ns=$!
check "the server in the namespace runs" wait_for test -s "$tmp/inside.port"
port=$(cat "$tmp/inside.port")
state=$(state_of "$port")
check "host list: it is live while it runs ($state)" [ "$state" = live ]
kept() { ! gets_port "$1"; }
check "its port is not handed out while it runs" kept "$port"

init=$(pgrep -P "$ns")
check "the namespace's init is found" [ -n "$init" ]
kill -9 "$init"
wait "$ns" 2>/dev/null
pgrep -af "who inside-$tag"
check "nothing of the namespace is left" \
  [ -z "$(pgrep -f "who inside-$tag")" ]
state=$(state_of "$port")
echo "once the namespace is gone, the host lists port $port as: ${state:-nothing}"
# At once or within a few seconds; it never is at ad358a7.
check "once the namespace is gone, its port is handed out again" \
  retry 5 gets_port "$port"

finish
