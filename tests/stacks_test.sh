#!/usr/bin/env bash
# Stacks of servers through the berth binary, with real HTTP servers: several
# apps in one run and in one get (--format env, .env, eval), the scopes of two
# git work trees restarted in either order, wait (a server that listens late,
# a timeout, --free, a stranger's listener, a server's child listening), stop
# (TERM, --signal, --kill-after, a reused PID, another PID namespace, the
# caller's own shell) and url.
# Usage (Bazel sh_test, outside the sandbox): stacks_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BERTH_HOME=$tmp/reg
# A range of its own: other tests, with registries of their own, run at the
# same time.
export BERTH_RANGE=21000-21499
# The global scope, but for the work trees below: TEST_TMPDIR lies inside
# Bazel's execroot, whose .git link makes it a git work tree.
export BERTH_SCOPE=none
py=/usr/bin/python3
cd "$tmp" || exit 1

# run CMD...: sets $out, $err, $rc
run() {
  out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err")
}
one_error_line() {  # stderr is exactly one line starting "berth: "
  [[ "$err" == berth:* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}
wait_for() { retry 10 "$@"; }  # here, for up to 10 s
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# entry_of APP [SCOPE]: APP's line of berth list --json (SCOPE: a quoted
# directory, default null: the global scope)
entry_of() {
  "$berth" list --json | grep "{\"app\": \"$1\"," | grep "\"scope\": ${2:-null}"
}
port_of() { entry_of "$@" | sed -n 's/.*"port": \([0-9]*\).*/\1/p'; }
pid_of() { entry_of "$@" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'; }
http_get() {  # http_get PORT: the body of GET / on 127.0.0.1:PORT
  "$py" -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=2).read().decode())' "$1" 2>/dev/null
}
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
# stopped_by SIGNAL STATUS NAME APP PID PORT: checks, as NAME, what
# `run "$berth" stop APP` left: exit 0, the line saying that PID (holding
# PORT) exited after SIGNAL, and that PID, our job, did end so (STATUS).
stopped_by() {
  local sig=$1 want=$2 name=$3 app=$4 pid=$5 port=$6 status
  check "$name: exit 0 ($err)" [ "$rc" -eq 0 ]
  check "$name: says $sig ($out)" \
    [ "$out" = "stopped $app: pid $pid (port $port) exited after $sig" ]
  wait "$pid"; status=$?
  check "the server ended by $sig ($status)" [ "$status" -eq "$want" ]
}

# stack.py NAME...: one HTTP server per NAME on $NAME_PORT, answering NAME;
# DELAY seconds before listening, TERM ignored when IGNORE_TERM is set.
cat >"$tmp/stack.py" <<'PY'
import http.server, os, signal, sys, threading, time
# A script's background jobs start with INT ignored: take it back.
signal.signal(signal.SIGINT, signal.default_int_handler)
if os.environ.get("IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(float(os.environ.get("DELAY", "0")))
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.app.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
servers = []
for app in sys.argv[1:]:
    port = int(os.environ[app.upper() + "_PORT"])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.app = app
    servers.append(server)
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
servers[0].serve_forever()
PY

# --- a stack: two servers in one run -------------------------------------------
"$berth" run web api -- "$py" "$tmp/stack.py" web api &
stack=$!
run "$berth" wait web
check "wait web: ready ($err)" [ "$rc" -eq 0 ]
run "$berth" wait api --timeout 10
check "wait api: ready ($err)" [ "$rc" -eq 0 ]
web=$(port_of web); api=$(port_of api)
check "two ports ($web, $api)" [ -n "$web" -a -n "$api" -a "$web" != "$api" ]
check "web answers on its port" [ "$(http_get "$web")" = web ]
check "api answers on its port" [ "$(http_get "$api")" = api ]
check "both held by the server" [ "$(pid_of web)" = "$stack" -a "$(pid_of api)" = "$stack" ]
run "$berth" url web api
check "url web api" [ "$out" = "$(printf 'http://web.localhost:%s\nhttp://api.localhost:%s' "$web" "$api")" ]
run "$berth" stop web
stopped_by TERM 143 "stop web" web "$stack" "$web"
run "$berth" wait api --free --timeout 10
check "api is free too: one server held both ($err)" [ "$rc" -eq 0 ]
check "no live entry left" bash -c '! grep -q "\"live\"" <<<"$0"' "$(entry_of web; entry_of api)"

# berth wait while berth run allocates must not cost the app its port: the
# same port, restart after restart. (Listing locks each lease file for a
# moment, and an allocation that meets a held lock moves on; wait used to
# list, and this lost the port about every other time.)
same=0
for _ in 1 2 3 4 5 6; do
  "$berth" run web -- "$py" "$tmp/stack.py" web &
  again=$!
  "$berth" wait web --timeout 20 && [ "$(port_of web)" = "$web" ] && same=$((same + 1))
  "$berth" stop web >/dev/null; wait "$again" 2>/dev/null
done
check "run & wait, six times: web's port each time ($same of 6)" [ "$same" -eq 6 ]

# --- several ports for a shell: lines, env, .env, eval, JSON --------------------
run "$berth" get web db --owner $$
check "get web db: two lines ($out)" [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
first=$(sed -n 1p <<<"$out"); second=$(sed -n 2p <<<"$out")
"$berth" get --format env web db --owner $$ >"$tmp/.env"
check "--format env > .env" [ "$(cat "$tmp/.env")" = "$(printf 'WEB_PORT=%s\nDB_PORT=%s' "$first" "$second")" ]
eval "$("$berth" get --format env web db --owner $$)"
check "eval of --format env" [ "$WEB_PORT" = "$first" -a "$DB_PORT" = "$second" ]
unset WEB_PORT DB_PORT
run "$berth" get web db --owner $$ --json
check "--json of two: an array" grep -q "^\[{\"app\": \"web\", \"port\": $first," <<<"$out"
check "--json of two: db second" grep -q "^ {\"app\": \"db\", \"port\": $second," <<<"$out"
"$berth" release web >/dev/null && "$berth" release db >/dev/null

# --- scopes: two git work trees, each its own web, restarted in either order -----
mkdir -p "$tmp/wt1/.git" "$tmp/wt1/src" "$tmp/wt2"
echo "gitdir: $tmp/wt1/.git/worktrees/wt2" >"$tmp/wt2/.git"  # a worktree's .git file
# In a work tree, the scope is the work tree's root (BERTH_SCOPE unset).
# `berth run & berth wait` as people write it: wait reads the lease records
# without locking them, so the run gets its remembered port.
start_web() {  # start_web DIR: berth run web from DIR; sets $server
  (cd "$1" && exec env -u BERTH_SCOPE "$berth" run web -- "$py" "$tmp/stack.py" web) &
  server=$!
  (cd "$1" && env -u BERTH_SCOPE "$berth" wait web --timeout 20)
}
stop_web() { (cd "$1" && env -u BERTH_SCOPE "$berth" stop web >/dev/null); }
start_web "$tmp/wt1/src"; s1=$server
start_web "$tmp/wt2"; s2=$server
p1=$(port_of web "\"$tmp/wt1\""); p2=$(port_of web "\"$tmp/wt2\"")
check "two work trees, two webs ($p1, $p2)" [ -n "$p1" -a -n "$p2" -a "$p1" != "$p2" ]
check "each scope's web answers" [ "$(http_get "$p1")" = web -a "$(http_get "$p2")" = web ]
run "$berth" list
check "list shows both scopes" grep -q "  $tmp/wt2$" <<<"$out"
run "$berth" url web --scope "$tmp/wt1"
check "url --scope DIR" [ "$out" = "http://web.localhost:$p1" ]
run env BERTH_SCOPE="$tmp/wt2" "$berth" url web
check "url with BERTH_SCOPE" [ "$out" = "http://web.localhost:$p2" ]
run "$berth" url web --scope none
check "url --scope none: the global web holds nothing" [ "$rc" -eq 1 ] && one_error_line
run "$berth" url web
check "url from outside both: nothing" [ "$rc" -eq 1 ]
stop_web "$tmp/wt1"
check "stop in wt1 stops wt1's web" wait_for gone "$s1"
check "... and not wt2's" alive "$s2"
stop_web "$tmp/wt2"
check "stop in wt2 stops wt2's web" wait_for gone "$s2"
wait "$s1" "$s2" 2>/dev/null
for order in "wt2 wt1/src" "wt1/src wt2"; do
  for d in $order; do start_web "$tmp/$d"; done
  check "restarted ($order): wt1 gets its port back" [ "$(port_of web "\"$tmp/wt1\"")" = "$p1" ]
  check "restarted ($order): wt2 gets its port back" [ "$(port_of web "\"$tmp/wt2\"")" = "$p2" ]
  for d in $order; do stop_web "$tmp/$d"; done
done
wait 2>/dev/null

# --- wait: late, never, free, a stranger, a child ---------------------------------
DELAY=1.5 "$berth" run slow -- "$py" "$tmp/stack.py" slow &
slow=$!
start=$(date +%s%N)
run "$berth" wait slow --timeout 30
took=$(ms_since "$start")
check "wait for a late listener: 0 ($err)" [ "$rc" -eq 0 ]
check "wait for a late listener: it waited ($took ms)" [ "$took" -ge 1000 ]
check "wait for a late listener: it answers at once" [ "$(http_get "$(port_of slow)")" = slow ]
run "$berth" wait "$(port_of slow)"
check "wait by port" [ "$rc" -eq 0 ]
"$berth" stop slow >/dev/null

"$berth" run mute -- sleep 60 &
mute=$!
wait_for entry_of mute >/dev/null
mport=$(port_of mute)
start=$(date +%s%N)
run "$berth" wait mute --timeout 0.5
took=$(ms_since "$start")
check "wait at the timeout: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "wait at the timeout: one line ($err)" one_error_line
check "wait at the timeout: says why" \
  grep -qF "gave up after 0.5 s: nothing listens on port $mport" <<<"$err"
check "wait at the timeout: about the timeout ($took ms)" [ "$took" -ge 500 -a "$took" -lt 5000 ]
# It backs off: two seconds of waiting cost little CPU.
"$berth" wait mute --timeout 2.5 2>/dev/null &
waiter=$!
sleep 2
ticks=$(awk '{print $14 + $15}' "/proc/$waiter/stat")
wait "$waiter"
check "wait does not spin ($ticks ticks of CPU in 2 s)" [ "$ticks" -lt 100 ]
# A stranger listening on mute's port is not mute's server.
"$py" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(10)' "$mport" &
stranger=$!
wait_for bash -c '"$0" who "$1" >/dev/null' "$berth" "$mport"
run "$berth" wait mute --timeout 0.5
check "a stranger's listener: still waiting (exit $rc)" [ "$rc" -eq 1 ]
check "a stranger's listener: named ($err)" grep -q "listened on by python3 (pid $stranger), which is neither its holder" <<<"$err"
run "$berth" wait "$mport" --timeout 0.5
check "by port too: the holder's port, a stranger listening" [ "$rc" -eq 1 ]
kill "$stranger"; wait "$stranger" 2>/dev/null
run "$berth" wait mute --free --timeout 0.3
check "--free while held: exit 1" [ "$rc" -eq 1 ]
check "--free while held: says so ($err)" grep -q "is still held: port $mport" <<<"$err"
kill "$mute"; wait "$mute" 2>/dev/null
run "$berth" wait mute --free --timeout 10
check "--free once the holder is gone ($err)" [ "$rc" -eq 0 ]
# A listener the holder started is the app's server: here berth became sh,
# which runs python as its child.
"$berth" run kid -- sh -c '"$0" "$1" kid; exit $?' "$py" "$tmp/stack.py" &
kid=$!
run "$berth" wait kid --timeout 20
check "a listener the holder started counts ($err)" [ "$rc" -eq 0 ]
listener=$(pgrep -P "$kid")
check "... it is the holder's child, not the holder ($listener)" \
  [ -n "$listener" -a "$listener" != "$kid" ]
kill "$listener"; wait "$kid" 2>/dev/null

# --- stop: INT, --kill-after --------------------------------------------------------
"$berth" run int -- "$py" "$tmp/stack.py" int 2>/dev/null &
int=$!
"$berth" wait int --timeout 20
run "$berth" stop int --signal int
check "stop --signal int ($out$err)" \
  grep -q "^stopped int: pid $int (port [0-9]*) exited after INT$" <<<"$out"
check "the server is gone" gone "$int"
IGNORE_TERM=1 "$berth" run stubborn -- "$py" "$tmp/stack.py" stubborn &
stubborn=$!
"$berth" wait stubborn --timeout 20
sport=$(port_of stubborn)
run "$berth" stop stubborn --timeout 0.5
check "TERM ignored: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "TERM ignored: one line ($err)" one_error_line
check "TERM ignored: says what to do" grep -q "still runs 0.5 s after TERM; add --kill-after" <<<"$err"
check "TERM ignored: it still serves" [ "$(http_get "$sport")" = stubborn ]
run "$berth" stop stubborn --timeout 0.5 --kill-after
stopped_by KILL 137 "--kill-after" stubborn "$stubborn" "$sport"
run "$berth" wait stubborn --free --timeout 10
check "its port is free" [ "$rc" -eq 0 ]
run "$berth" stop stubborn
check "stop with no live holder: exit 1" [ "$rc" -eq 1 ]
check "stop with no live holder: one line ($err)" one_error_line

# --- stop never signals a process that only has the holder's PID ------------------
# Lease records as berth writes them (README: the lease record), naming a
# live `sleep`: with another start token (the PID was reused), with the
# holder in another PID namespace, and with everything right.
sleep 300 & victim=$!
token=$(cut -d' ' -f22 "/proc/$victim/stat")
ns=$(stat -L -c %i /proc/self/ns/pid)
boot=$(cat /proc/sys/kernel/random/boot_id)
fake() {  # fake PORT START PIDNS: a reservation of app `fake` for $victim
  mkdir -p "$BERTH_HOME/leases"
  printf '%s\n' "berth-lease 2" "port $1" "app fake" "pid $victim" "start $2" \
    "pidns $3" "boot $boot" "since $(date +%s)" "hold pid" "end" \
    >"$BERTH_HOME/leases/$1.lock"
}
fake 20300 $((token + 1)) "$ns"
run "$berth" stop fake
check "a reused PID: no live holder (exit $rc)" [ "$rc" -eq 1 ]
check "a reused PID: one line ($err)" one_error_line
check "a reused PID: not signalled" alive "$victim"
# A namespace that no longer exists took its processes with it.
fake 20300 "$token" 4026531000
run "$berth" stop fake
check "a namespace that is gone: no live holder (exit $rc)" [ "$rc" -eq 1 ]
check "a namespace that is gone: one line ($err)" one_error_line
check "a namespace that is gone: $victim not signalled" alive "$victim"
# A live holder in another PID namespace is found (as its host PID) and
# still not signalled: stop refuses, naming the namespace. Needs
# unshare --pid (root); said and skipped without.
if unshare --pid --fork --mount-proc true 2>/dev/null; then
  unshare --pid --fork --mount-proc sh -c 'sleep 300 & echo $! >"$1"; wait' \
    sh "$tmp/inner.pid" &
  wrapper=$!
  wait_for test -s "$tmp/inner.pid"
  inner=$(cat "$tmp/inner.pid")
  outer=$(pgrep -P "$(pgrep -P $wrapper)" -x sleep)
  printf '%s\n' "berth-lease 2" "port 20301" "app other" "pid $inner" \
    "start $(cut -d' ' -f22 "/proc/$outer/stat")" \
    "pidns $(stat -L -c %i "/proc/$outer/ns/pid")" "boot $boot" \
    "since $(date +%s)" "hold pid" "end" >"$BERTH_HOME/leases/20301.lock"
  run "$berth" stop other
  check "another PID namespace: refused (exit $rc)" [ "$rc" -eq 1 ]
  check "another PID namespace: says so ($err)" grep -q "another PID namespace" <<<"$err"
  check "another PID namespace: $outer not signalled" alive "$outer"
  kill "$wrapper" 2>/dev/null; kill "$outer" 2>/dev/null
  wait "$wrapper" 2>/dev/null
  rm -f "$BERTH_HOME/leases/20301.lock"
else
  echo "note: unshare --pid is not allowed here (needs root): the live" \
       "holder in another PID namespace was not checked" >&2
fi
fake 20300 "$token" "$ns"
run "$berth" stop fake
check "the right record: stopped ($err)" [ "$rc" -eq 0 ]
check "the right record: the process got TERM" wait_for gone "$victim"
wait "$victim" 2>/dev/null
# The shell that took a port with berth get is released, not stopped.
mine=$("$berth" get mine)
run "$berth" stop mine
check "stop of this shell's reservation: refused (exit $rc)" [ "$rc" -eq 1 ]
check "... pointing at release ($err)" grep -q "berth release" <<<"$err"
"$berth" release mine >/dev/null
check "... and this shell still runs ($mine)" true

# --- looking never costs an app its port ------------------------------------
# berth list (and who, url, stop) look at lease files under a reader lock;
# an allocation meeting one waits it out instead of taking another port.
( while :; do "$berth" list >/dev/null 2>&1; done ) &
looker=$!
ports=()
for _ in $(seq 12); do
  ports+=("$("$berth" run steady -- sh -c 'echo "$PORT"')")
done
kill "$looker"; wait "$looker" 2>/dev/null
check "12 restarts beside a berth list loop: one port (${ports[*]})" \
  [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" -eq 1 ]

finish
