#!/usr/bin/env bash
# A port the OS refuses to bind is passed over, and the reason reaches the
# user: stderr of `berth get --port P` and `berth run --port P`.
#
# On Windows that is a port in an excluded range (Hyper-V, WinNAT, WSL,
# Docker), whose bind fails with WSAEACCES; wine cannot make one. So Linux
# is made to refuse instead: in a network namespace of its own, ports below
# 30000 need CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start), and
# berth runs without it, so its binds fail with EACCES. Both errors mean
# FamilyState::kExcluded (platform/port_test holds port_win.cc and
# port_posix.cc to that: BindErrorState); from there on the path to stderr
# is the same on every OS; the reason's words are the platform's
# (platform::ExcludedPortReason: "reserved by Windows (...)" there).
#
# Needs root (a network namespace, the sysctl in it); skipped, saying why,
# without. Usage (Bazel sh_test): reserved_port_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BERTH_HOME=$tmp/reg BERTH_SCOPE=none
reason="is refused by the operating system (binding it needs privilege; on Linux see net.ipv4.ip_unprivileged_port_start)"

# refusing CMD...: CMD in a network namespace of its own, loopback up, where
# binding a port below 30000 needs a capability CMD does not have.
refusing() {
  unshare --net sh -c '
    echo 30000 >/proc/sys/net/ipv4/ip_unprivileged_port_start &&
    ip link set lo up &&
    exec setpriv --bounding-set=-net_bind_service "$@"' sh "$@"
}

if ! refusing python3 -c '
import socket, sys
try:
    socket.socket().bind(("127.0.0.1", 29999))
except PermissionError:
    sys.exit(0)
sys.exit(1)' 2>/dev/null; then
  echo "note: cannot make the OS refuse a port here (needs root, unshare," \
       "ip and setpriv); nothing was checked" >&2
  finish
fi

# --- get: the wanted port is refused, the next one the OS allows is taken ----
got=$(refusing "$berth" get web --port 29995 --range 29990-30009 --owner $$ \
      2>"$tmp/get.err"); rc=$?
check "get exits 0 ($rc)" [ "$rc" -eq 0 ]
check "get takes a port the OS lets it bind ($got)" [ "${got:-0}" -ge 30000 ]
check "get says why on stderr ($(cat "$tmp/get.err"))" \
  grep -qF "berth: get: wanted port 29995 $reason; took $got" "$tmp/get.err"
check "get says it on one line" [ "$(wc -l <"$tmp/get.err")" -eq 1 ]
"$berth" release web >/dev/null

# --- run: the same for the program's port ------------------------------------
refusing "$berth" run api --port 29996 --range 29990-30009 -- \
  sh -c 'echo "$PORT" >"$1"' sh "$tmp/run.port" 2>"$tmp/run.err"; rc=$?
check "run exits with the program's 0 ($rc)" [ "$rc" -eq 0 ]
port=$(cat "$tmp/run.port" 2>/dev/null)
check "run gives the program a port the OS lets it bind ($port)" \
  [ "${port:-0}" -ge 30000 ]
check "run says why on stderr ($(cat "$tmp/run.err"))" \
  grep -qF "berth: run: wanted port 29996 $reason;" "$tmp/run.err"

# --- a range the OS refuses whole: one error line, exit 1 -------------------
refusing "$berth" get all --range 29990-29999 --owner $$ 2>"$tmp/all.err"
rc=$?
check "a refused range exits 1 ($rc)" [ "$rc" -eq 1 ]
check "and says no port is free ($(cat "$tmp/all.err"))" \
  grep -qF "no free port in 29990-29999 for all" "$tmp/all.err"
check "counting the refused ports" grep -qF "10 reserved" "$tmp/all.err"

finish
