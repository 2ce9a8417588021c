#!/usr/bin/env bash
# End-to-end tests of `berth run`: real servers on their own ports.
# Usage (Bazel sh_test): run_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BERTH_HOME=$tmp/reg
py=/usr/bin/python3

# wait_for CMD...: retry for up to 10 s.
wait_for() {
  for _ in $(seq 200); do "$@" && return 0; sleep 0.05; done
  return 1
}
entry_of() {  # entry_of APP: the JSON object of APP in berth list --json
  "$berth" list --json | tr -d '\n' | grep -o "{\"app\": \"$1\"[^}]*}"
}
port_of() { entry_of "$1" | sed -n 's/.*"port": \([0-9]*\).*/\1/p'; }
http_get() {  # http_get PORT: the body of GET / on 127.0.0.1:PORT
  "$py" -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=2).read().decode())' "$1" 2>/dev/null
}

# --- a real HTTP server, started by berth run ----------------------------------
mkdir -p "$tmp/site" && echo "hello from berth" >"$tmp/site/index.html"
"$berth" run web -- "$py" -m http.server "{port}" --bind 127.0.0.1 \
  --directory "$tmp/site" >"$tmp/http.log" 2>&1 &
server=$!
check "run registers the server" wait_for entry_of web
port=$(port_of web)
check "the server answers on its port" wait_for http_get "$port"
check "the page is served" grep -q "hello from berth" <<<"$(http_get "$port")"
check "list shows it live with the server's PID" \
  grep -q "\"pid\": $server, \"start\": \"[0-9]*\", \"state\": \"live\"" <<<"$(entry_of web)"
check "the server is the process berth was (exec, no wrapper)" \
  grep -q "python" "/proc/$server/comm"
# (Of this script's processes: other tests run berth at the same time.)
check "no berth process stays behind" [ -z "$(pgrep -x -P $$ berth)" ]
check "the server is this script's child" [ "$(ps -o ppid= -p "$server" | tr -d " ")" = $$ ]
check "the server has no children" [ -z "$(pgrep -P "$server")" ]

who=$("$berth" who "$port")
check "who finds the server ($who)" grep -q "^$port ipv4 127.0.0.1 $server python3.* app web$" <<<"$who"
who=$("$berth" who "$port" --json)
check "who --json" grep -q "^{\"port\": $port, \"pid\": $server, \"name\": \"python3[^\"]*\", \"family\": \"ipv4\", \"app\": \"web\"}$" <<<"$who"
kill -9 "$server"; wait "$server" 2>/dev/null
# The kernel dropped the lease lock with the server: the port is free for
# the very next get, with no prune and no wait.
got=$("$berth" get next --port "$port" --owner $$)
check "after SIGKILL the port is handed out again at once ($got vs $port)" [ "$got" = "$port" ]
"$berth" release next >/dev/null

# --- who: an IPv6-only listener, and nobody ------------------------------------
"$py" - "$tmp/v6" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::1", 0)); s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(30)
PY
v6pid=$!
if wait_for test -s "$tmp/v6"; then
  v6port=$(cat "$tmp/v6")
  who=$("$berth" who "$v6port")
  check "who finds an IPv6-only listener ($who)" grep -q "^$v6port ipv6 ::1 $v6pid python3" <<<"$who"
else
  echo "note: no IPv6 loopback here; the IPv6 who case did not run" >&2
fi
kill "$v6pid" 2>/dev/null; wait "$v6pid" 2>/dev/null
out=$("$berth" who "${v6port:-1}"); rc=$?
check "who on a free port exits 1" [ "$rc" -eq 1 ]
check "who on a free port says so" grep -q "^nobody listens on port" <<<"$out"
"$berth" who 0 2>/dev/null
check "who 0 is bad input" [ $? -eq 2 ]

# --- --socket: the server is handed a listening socket on descriptor 3 --------
cat >"$tmp/fd3_server.py" <<'PY'
import os, socket
assert os.environ["LISTEN_PID"] == str(os.getpid()), "LISTEN_PID is not mine"
assert os.environ["LISTEN_FDS"] == "1"
s = socket.socket(fileno=3)  # never binds: berth did
conn, _ = s.accept()
conn.sendall(("served on %s by %s for %s\n" % (s.getsockname()[1], os.getpid(),
              os.environ["LISTEN_FDNAMES"])).encode())
conn.close()
PY
"$berth" run sockapp --socket -- "$py" "$tmp/fd3_server.py" >"$tmp/sock.log" 2>&1 &
server=$!
check "socket app registered" wait_for entry_of sockapp
port=$(port_of sockapp)
reply=$("$py" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
print(s.recv(200).decode().strip())' "$port")
check "served from descriptor 3 ($reply)" [ "$reply" = "served on $port by $server for sockapp" ]
wait "$server"
check "socket server exit status 0" [ $? -eq 0 ]

# --- environment, {port}, exit status -------------------------------------------
out=$("$berth" run envapp -- sh -c 'echo "$PORT $BERTH_PORT $BERTH_APP {port}"; exit 7')
rc=$?
check "exit status is the server's" [ "$rc" -eq 7 ]
read -r p1 p2 app p3 <<<"$out"
check "PORT, BERTH_PORT, BERTH_APP and {port} agree ($out)" \
  [ "$p1" = "$p2" -a "$p1" = "$p3" -a "$app" = envapp ]

# --- several apps in one run ---------------------------------------------------
out=$("$berth" run web2 api2 -- sh -c 'echo "$PORT $WEB2_PORT $API2_PORT {port} {port:api2}"')
read -r p0 pw pa p1 p2 <<<"$out"
check "several apps: PORT is the first app's ($out)" [ "$p0" = "$pw" -a "$p1" = "$pw" ]
check "several apps: {port:NAME} is that app's" [ "$p2" = "$pa" -a "$pa" != "$pw" ]
err=$("$berth" run web2 -- echo "{port:nope}" 2>&1); rc=$?
check "an unknown {port:NAME} is bad input" [ "$rc" -eq 2 ]
check "an unknown {port:NAME} says which" grep -q "names no app of this run" <<<"$err"

# --- issue case 1: a server that closes its inherited descriptors --------------
# keeps its port while it runs: its PID and start time vouch for it.
"$berth" run closer -- "$py" -c 'import os, time; os.closerange(3, 1024); open(os.environ["TEST_TMPDIR"] + "/closed", "w").close(); time.sleep(30)' &
closer=$!
check "the fd-closing server is registered" wait_for test -e "$tmp/closed"
port=$(port_of closer)
got=$("$berth" get other --port "$port" --owner $$)
check "its port is not handed out while it runs ($got vs $port)" [ "$got" != "$port" ]
"$berth" release other >/dev/null
kill -9 "$closer"; wait "$closer" 2>/dev/null
got=$("$berth" get other --port "$port" --owner $$)
check "and is once it is gone ($got vs $port)" [ "$got" = "$port" ]
"$berth" release other >/dev/null

# --- issue case 2: a wrapper that backgrounds the server and exits -------------
# The server inherited the lease lock: held means taken, whoever is on file,
# also for `berth get`, also after `berth release`.
"$berth" run bg -- sh -c 'sleep 30 </dev/null >/dev/null 2>&1 & echo $! >"$TEST_TMPDIR/bg.pid"'
check "the wrapper exited 0" [ $? -eq 0 ]
bgpid=$(cat "$tmp/bg.pid")
port=$(port_of bg)
check "the backgrounded server runs" kill -0 "$bgpid"
got=$("$berth" get other --port "$port" --owner $$)
check "its port is not handed out ($got vs $port)" [ "$got" != "$port" ]
"$berth" release other >/dev/null
out=$("$berth" release bg 2>&1); rc=$?
check "release of a port whose lock is held exits 1 ($rc)" [ "$rc" -eq 1 ]
check "release says the holder keeps its lock" grep -q "keeps its lease lock" <<<"$out"
got=$("$berth" get other --port "$port" --owner $$)
check "still not handed out after release ($got vs $port)" [ "$got" != "$port" ]
"$berth" release other >/dev/null
kill "$bgpid"
gets_port() {  # gets_port P: a get asking for P gets it
  local got
  got=$("$berth" get other --port "$1" --owner $$ 2>/dev/null)
  "$berth" release other >/dev/null 2>&1
  [ "$got" = "$1" ]
}
check "free once the server is gone" wait_for gets_port "$port"

# --- issue case 3: closed stdio never gets the lease lock ----------------------
"$berth" run nostdio -- "$py" -c 'import os, sys, time
fds = {fd: os.readlink("/proc/self/fd/%d" % fd) for fd in (0, 1, 2)}
open(os.environ["TEST_TMPDIR"] + "/stdio", "w").write(repr(fds))
os.dup2(os.open("/dev/null", os.O_WRONLY), 1)  # the usual exec >log
time.sleep(30)' <&- >&- 2>&- &
nostdio=$!
check "the server started with closed stdio" wait_for test -s "$tmp/stdio"
check "its stdio is /dev/null, not a lease file ($(cat "$tmp/stdio"))" \
  grep -qv "lock" "$tmp/stdio"
port=$(port_of nostdio)
got=$("$berth" get other --port "$port" --owner $$)
check "reopening stdout keeps the port ($got vs $port)" [ "$got" != "$port" ]
"$berth" release other >/dev/null
kill "$nostdio"; wait "$nostdio" 2>/dev/null

# --- a command that cannot start: 127 / 126, nothing left held -----------------
"$berth" prune >/dev/null
err=$("$berth" run ghost -- "$tmp/no-such-program" 2>&1); rc=$?
check "not found exits 127" [ "$rc" -eq 127 ]
check "not found says so" grep -q "^berth: run: .*no-such-program: command not found$" <<<"$err"
touch "$tmp/not-executable"
err=$("$berth" run ghost -- "$tmp/not-executable" 2>&1); rc=$?
check "not executable exits 126" [ "$rc" -eq 126 ]
check "no entry left behind" [ -z "$(entry_of ghost)" ]
err=$("$berth" run ghost 2>&1); rc=$?
check "no command is a usage error" [ "$rc" -eq 2 ]

finish
