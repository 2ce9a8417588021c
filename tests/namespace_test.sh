#!/usr/bin/env bash
# PID namespaces and the host, one registry: holders in three separate
# `unshare --pid --fork --mount-proc` namespaces and on the host (the
# initial PID namespace: this test runs unsandboxed) take ports for the
# same app names at the same time, through `berth run` (in a namespace berth
# stays the server's parent; on the host it execs the server), the C++ API
# (tests/port_holder) and `berth get`, with servers that close every
# inherited descriptor in both places. What must hold:
#   - no two holders whose spans overlap share a port, and no holder finds
#     its port listened on (spans: CLOCK_REALTIME microseconds, one clock
#     for every namespace; see port_holder.cc);
#   - `berth get` is refused inside a namespace (exit 1, naming berth run
#     and the library) and works on the host;
#   - while they run, `berth list` on the host shows the namespace holders
#     live: those that keep their lease lock, and a server that closed its
#     lock too, which the host (the initial PID namespace, seeing every
#     process) finds by its namespace and PID there; never stale;
#   - killing a namespace's init frees the ports its holders kept by lock
#     at once (the kernel drops the locks);
#   - issue case 7: three `unshare --pid --fork --mount-proc sh -c 'berth
#     get web; sleep 4'` sharing one registry are refused, instead of
#     getting one port three times.
# Where namespaces cannot be made, or the test is not in the initial PID
# namespace, it says why and passes with nothing checked.
# Usage (Bazel sh_test): namespace_test.sh PATH_TO_BERTH PATH_TO_PORT_HOLDER
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(abs_path "$1")
holder=$(abs_path "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}

need_pid_namespaces --mount-proc

# One registry for every namespace, on a tmpfs (as the default one is).
reg=$(mktemp -d /dev/shm/berth-namespace-test.XXXXXX)
cleanup() {
  kill_jobs
  rm -rf "$reg"
}
trap cleanup EXIT
export BERTH_HOME=$reg
# A range of its own, narrow enough that everyone competes.
export BERTH_RANGE=27100-27149
export berth holder
log=$tmp/spans
ready=$tmp/ready
mkdir -p "$ready"
: >"$log"
hold_ms=6000

count_ready() { [ "$(find "$ready" -name '*.port' | wc -l)" -ge "$1" ]; }
# overlaps: one line per two spans of a port that overlap.
overlaps() {
  awk '$1 == "span" {print $2, $3, $4, $5}' "$log" | sort -n -k1,1 -k2,2 | awk '
    $1 != port { port = $1; n = 0 }
    { for (i = 0; i < n; i++) if ($2 < e[i]) print "port " port ": " w[i] " and " $4
      e[n] = $3; w[n] = $4; n++ }'
}

# holders PLACE HOLD_MS: the holders of one place, in the background.
# (A function the namespaces run too: exported below.)
holders() {
  local place=$1 hold=$2
  local common=(--log "$log" --hold-ms "$hold")
  "$berth" run web -- "$holder" serve --port "{port}" "${common[@]}" \
    --who "$place/run-web" --ready "$ready/$place-run-web.port" &
  "$berth" run api -- "$holder" serve --port "{port}" --close-fds \
    "${common[@]}" --who "$place/run-api-closing" \
    --ready "$ready/$place-run-api-closing.port" &
  "$holder" lease web "${common[@]}" --who "$place/lease-web" \
    --ready "$ready/$place-lease-web.port" &
  "$holder" lease api --exec-closing "${common[@]}" \
    --who "$place/lease-api-closing" \
    --ready "$ready/$place-lease-api-closing.port" &
}
# get_then_serve PLACE HOLD_MS: `berth get web` for this shell, then a
# server on the port; stdout, stderr and the exit status go to files.
get_then_serve() {
  local place=$1 hold=$2 port rc
  # No redirection inside $(...): with one, bash forks once more and the
  # owner (berth's parent) would be a subshell that is gone at once.
  { port=$("$berth" get web); rc=$?; } 2>"$ready/$place-get.err"
  echo "$rc" >"$ready/$place-get.rc"
  printf '%s' "$port" >"$ready/$place-get.out"
  [ "$rc" -eq 0 ] || return "$rc"
  "$holder" serve --port "$port" --log "$log" --hold-ms "$hold" \
    --who "$place/get-web" --ready "$ready/$place-get-web.port"
}
export log ready
export -f holders get_then_serve

# --- everyone at once --------------------------------------------------------
namespaces=(ns1 ns2 ns3)
for ns in "${namespaces[@]}"; do
  unshare --pid --fork --mount-proc --kill-child bash -c '
    holders "$1" "$2"
    # Not PID 1 (a subshell), so the refusal is for the namespace.
    (get_then_serve "$1" "$2"; exit $?)
    wait' _ "$ns" "$hold_ms" &
done
holders host "$hold_ms"
get_then_serve host "$hold_ms" &

per_ns=4
total=$((${#namespaces[@]} * per_ns + 5))
check "every holder got a port and listens on it" wait_for count_ready "$total"

# While they all run: the host sees every namespace holder, never stale.
states=()
for f in "$ready"/*.port; do
  name=$(basename "$f" .port)
  states+=("$name=$(state_of "$(cat "$f")")")
done
printf '%s\n' "${states[@]}" >"$tmp/states"
for ns in "${namespaces[@]}"; do
  for h in run-web run-api-closing lease-web; do
    check "host list: $ns/$h (keeps its lock) is live" \
      grep -qx "$ns-$h=live" "$tmp/states"
  done
  check "host list: $ns/lease-api-closing (closed its lock) is live" \
    grep -qx "$ns-lease-api-closing=live" "$tmp/states"
done
for h in run-web run-api-closing lease-web lease-api-closing get-web; do
  check "host list: host/$h is live" grep -qx "host-$h=live" "$tmp/states"
done
check "nothing is listed stale while everyone runs" \
  [ "$(grep -c '=stale$' "$tmp/states")" -eq 0 ]
wait
cat "$tmp/states"

found=$(overlaps)
[ -n "$found" ] && echo "$found" >&2
check "no two overlapping holders share a port" [ -z "$found" ]
check "no holder found its port listened on" [ "$(grep -c '^conflict' "$log")" -eq 0 ]
check "every holder logged its span ($(grep -c '^span' "$log") of $total)" \
  [ "$(grep -c '^span' "$log")" -eq "$total" ]
check "berth get works on the host" [ "$(cat "$ready/host-get.rc")" = 0 ]
for ns in "${namespaces[@]}"; do
  check "berth get in $ns exits 1" [ "$(cat "$ready/$ns-get.rc")" = 1 ]
  check "berth get in $ns prints no port" [ ! -s "$ready/$ns-get.out" ]
  check "berth get in $ns names berth run and the library" \
    grep -q "berth run.*library" "$ready/$ns-get.err"
done
head -1 "$ready/ns1-get.err"

# --- killing a namespace's init frees its ports --------------------------------
rm -f "$ready"/*
unshare --pid --fork --mount-proc bash -c '
  "$berth" run web -- "$holder" serve --port "{port}" --log /dev/null \
    --hold-ms 60000 --who k --ready "$ready/run-web.port" &
  "$holder" lease web --log /dev/null --hold-ms 60000 --who k \
    --ready "$ready/lease-web.port" &
  wait' &
ns_unshare=$!
check "the doomed namespace's holders run" wait_for count_ready 2
for h in run-web lease-web; do
  port=$(cat "$ready/$h.port")
  check "host list: its $h ($port) is live" [ "$(state_of "$port")" = live ]
done
init=$(pgrep -P "$ns_unshare")
check "its init is found" [ -n "$init" ]
kill -9 "$init"
wait "$ns_unshare" 2>/dev/null
for h in run-web lease-web; do
  port=$(cat "$ready/$h.port")
  got=$("$berth" get next --port "$port" --owner $$)
  check "after its init is killed, $h's port is free at once ($got vs $port)" \
    [ "$got" = "$port" ]
  "$berth" release next >/dev/null
done

# --- issue case 7 ---------------------------------------------------------------
"$berth" prune >/dev/null  # the holders above left stale entries of web
for i in 1 2 3; do
  unshare --pid --fork --mount-proc --kill-child sh -c \
    '"$berth" get web >"$1.out" 2>"$1.err"; echo $? >"$1.rc"; sleep 4' \
    _ "$tmp/case7-$i" &
done
wait
for i in 1 2 3; do
  check "case 7: get $i in its own namespace exits 1" [ "$(cat "$tmp/case7-$i.rc")" = 1 ]
  check "case 7: get $i prints no port" [ ! -s "$tmp/case7-$i.out" ]
  check "case 7: get $i says what to do instead" grep -q "berth run" "$tmp/case7-$i.err"
done
head -1 "$tmp/case7-1.err"
check "case 7: nothing was recorded for web" \
  [ -z "$("$berth" list --json | grep '"app": "web"')" ]

finish
