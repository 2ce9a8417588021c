#!/usr/bin/env bash
# Issue case 6: owners whose start token cannot be read. berth runs in
# `unshare --pid --fork` WITHOUT --mount-proc, so /proc belongs to the
# host's PID namespace: /proc/PID there is another process, and neither a
# start token nor a PID namespace can be read for anyone. berth must not
# misjudge, either way:
#   - `berth get` inside is refused (exit 1, no port, saying what to do
#     instead) rather than recording an owner with token 0;
#   - `berth run` inside stays the server's parent and keeps the lease lock,
#     so the host sees its server live, also after the server closed every
#     inherited descriptor, and the port is free once it ends;
#   - a judge inside never calls a host server stale: a server on the host
#     that closed its lease lock (vouched for by PID and start token, which
#     mean nothing inside) keeps its port against `berth run` from inside.
# (The same through the library: exec_in_foreign_proc_test.)
# Usage (Bazel sh_test): foreign_proc_test.sh PATH_TO_BERTH PATH_TO_PORT_HOLDER
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(abs_path "$1")
holder=$(abs_path "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}

need_pid_namespaces
trap kill_jobs EXIT
export BERTH_HOME=$tmp/reg
export BERTH_RANGE=27200-27229
export berth holder tmp
log=$tmp/spans
: >"$log"

# foreign CMD: runs the bash command CMD in a new PID namespace with the
# host's /proc, from a subshell (not the namespace's PID 1).
foreign() {
  unshare --pid --fork --kill-child bash -c "($1); exit \$?"
}

check "/proc is indeed foreign in there" \
  foreign '[ "$(readlink /proc/self)" != "$BASHPID" ]'

# --- berth get: refused, nothing recorded --------------------------------------
foreign '"$berth" get web >"$tmp/get.out" 2>"$tmp/get.err"; echo $? >"$tmp/get.rc"'
check "get exits 1 ($(cat "$tmp/get.rc"))" [ "$(cat "$tmp/get.rc")" = 1 ]
check "get prints no port" [ ! -s "$tmp/get.out" ]
check "get says what to do instead" grep -q "berth run" "$tmp/get.err"
head -1 "$tmp/get.err"
foreign '"$berth" get web --owner $BASHPID >"$tmp/get.out" 2>"$tmp/get.err"; echo $? >"$tmp/get.rc"'
check "get --owner exits 1 ($(cat "$tmp/get.rc"))" [ "$(cat "$tmp/get.rc")" = 1 ]
check "get --owner prints no port" [ ! -s "$tmp/get.out" ]
check "nothing is on file" [ "$("$berth" list --json)" = "[]" ]
check "no lease record with start 0 was written" \
  [ -z "$(grep -rlx 'start 0' "$BERTH_HOME" 2>/dev/null)" ]

# --- berth run inside: the host sees its server live -----------------------------
foreign '"$berth" run web -- "$holder" serve --port "{port}" --close-fds \
  --no-listen --hold-ms 3000 --log "$tmp/spans" --who inside \
  --ready "$tmp/inside.port"' &
check "the server inside runs" wait_for test -s "$tmp/inside.port"
port=$(cat "$tmp/inside.port")
check "host list: it is live ($(state_of "$port"))" [ "$(state_of "$port")" = live ]
got=$("$berth" get other --port "$port" --owner $$)
check "its port is not handed out on the host ($got vs $port)" [ "$got" != "$port" ]
"$berth" release other >/dev/null
wait
got=$("$berth" get other --port "$port" --owner $$)
check "and is once it ended ($got vs $port)" [ "$got" = "$port" ]
"$berth" release other >/dev/null

# --- a judge inside: a host server that closed its lock keeps its port -------------
"$berth" run api -- "$holder" serve --port "{port}" --close-fds --no-listen \
  --hold-ms 60000 --log "$log" --who host --ready "$tmp/host.port" &
host_server=$!
check "the host server runs" wait_for test -s "$tmp/host.port"
port=$(cat "$tmp/host.port")
check "host list: it is live" [ "$(state_of "$port")" = live ]
export port
foreign '"$berth" list --json >"$tmp/inside-list"; "$berth" run other --port "$port" \
  -- sh -c "echo \$PORT" >"$tmp/inside-run.out" 2>"$tmp/inside-run.err"'
check "inside, the host server is not stale ($(grep -o '"state": "[a-z]*"' "$tmp/inside-list"))" \
  grep -q "\"port\": $port,.*\"state\": \"\\(live\\|unknown\\)\"" "$tmp/inside-list"
got=$(cat "$tmp/inside-run.out")
check "berth run inside does not take its port ($got vs $port)" \
  [ -n "$got" -a "$got" != "$port" ]
kill "$host_server"
wait "$host_server" 2>/dev/null

finish
