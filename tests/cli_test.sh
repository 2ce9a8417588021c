#!/usr/bin/env bash
# End-to-end tests of the berth binary: get, list, release, prune, bad input,
# and what every command shares: help from one table, -- ending the
# options, a result that cannot be written, names printed escaped.
# (Stacks of servers: stacks_test.sh.)
# Usage (Bazel sh_test, outside the sandbox): cli_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
reg=$tmp/reg
# Every app here lives in the global scope (TEST_TMPDIR lies inside Bazel's
# execroot, whose .git link would make it a git work tree's).
cd "$tmp" || exit 1
export BERTH_SCOPE=none


b() { local cmd=$1; shift; "$berth" "$cmd" --registry "$reg" "$@"; }

# run CMD...: sets $out, $err, $rc
run() {
  out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err")
}

one_error_line() {  # stderr is exactly one line starting "berth: "
  [[ "$err" == berth:* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}
# snapshot: what the registry holds, byte for byte: the memory and every
# lease record (an empty lease file holds nothing; they are never removed).
snapshot() {
  { cat "$reg/registry" 2>/dev/null
    for f in "$reg"/leases/*.lock; do
      [ -s "$f" ] && { echo "== $f"; cat "$f"; }
    done; } 2>/dev/null
}

# --- help -------------------------------------------------------------------
run "$berth" --help
check "help exits 0" [ "$rc" -eq 0 ]
check "help lists get" grep -q "get APP" <<<"$out"
for c in get release list prune inspect run who wait stop url; do
  run "$berth" "$c" --help
  check "$c --help" [ "$rc" -eq 0 ]
  check "$c --help text" grep -q "Usage: berth $c" <<<"$out"
done

# --- get: a port, the same port again -----------------------------------------
# The default owner is the calling shell: inside $(...) the shell runs berth
# directly, so berth's parent is this script.
direct=$("$berth" get shellowned --registry "$reg")
run b list --json
check "default owner is the calling shell" \
  grep -q "\"app\": \"shellowned\", \"port\": $direct, \"pid\": $$, .*\"state\": \"live\"" <<<"$out"
"$berth" release shellowned --registry "$reg" >/dev/null
# With a redirection (or anything else that keeps bash from running berth
# directly) $(...) is a subshell that exits at once: the port is still this
# script's, which reads the subshell's output. Nested, too.
sub=$("$berth" get subshell --registry "$reg" 2>/dev/null)
nested=$(echo "$("$berth" get nested --registry "$reg" 2>/dev/null)")
run b list --json
check "\$(berth get 2>/dev/null): owned by this script, not the subshell" \
  grep -q "\"app\": \"subshell\", \"port\": $sub, \"pid\": $$, .*\"state\": \"live\"" <<<"$out"
check "nested \$(...): owned by this script" \
  grep -q "\"app\": \"nested\", \"port\": $nested, \"pid\": $$, .*\"state\": \"live\"" <<<"$out"
"$berth" release subshell --registry "$reg" >/dev/null
"$berth" release nested --registry "$reg" >/dev/null

# From here on `run` calls berth from a subshell, so the owner is given.
bo() { local cmd=$1; shift; "$berth" "$cmd" --registry "$reg" --owner $$ "$@"; }
run bo get web
check "get exits 0" [ "$rc" -eq 0 ]
is_number() { [[ "$1" =~ ^[0-9]+$ ]]; }
check "get prints a port alone" is_number "$out"
check "port in the default range" [ "$out" -ge 8800 -a "$out" -le 8999 ]
web=$out
run bo get web
check "same owner same app same port" [ "$out" = "$web" ]

run b list --json
check "list --json has web live held by this shell" \
  grep -q "\"app\": \"web\", \"port\": $web, \"pid\": $$, \"start\": \"[0-9]*\", \"state\": \"live\", \"since\": [0-9]*" <<<"$out"
run b list
check "list table" grep -qE "^web +$web +$$ +live" <<<"$out"

run bo get api --range 20000-20010 --port 20005 --json
check "get --json" grep -q '"app": "api", "port": 20005' <<<"$out"
check "get --json reason" grep -q '"reason": "took 20005, the wanted port"' <<<"$out"

# A port something listens on is never handed out (the wanted one is busy).
python3 - "$tmp/ready" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 20006)); s.listen()
open(sys.argv[1], "w").close(); time.sleep(20)
PY
listener=$!
for _ in $(seq 100); do [ -e "$tmp/ready" ] && break; sleep 0.05; done
run b get busy --range 20000-20010 --port 20006
check "busy wanted port is skipped" [ "$rc" -eq 0 -a "$out" != 20006 ]
check "the reason goes to stderr, naming the listener ($err)" \
  grep -q "wanted port 20006 is busy: python3 (pid $listener) listens on it" <<<"$err"
kill $listener; wait $listener 2>/dev/null

# --- bad input: exit 2, one line, registry untouched ---------------------------
snapshot >"$tmp/before"
bad_cases=(
  "get|"
  "get|$(printf 'a\tb')"
  "get|$(printf 'x%.0s' $(seq 201))"
  "get|web|--port|0"
  "get|web|--port|65536"
  "get|web|--range|9000-8000"
  "get|web|--range|"
  "get|web|--range|abc"
  "get|web|--owner|abc"
  "get|web|--owner|2147483000"
  "get|web|--bogus"
  "get|web|web"
  "get|web|--format|yaml"
  "get|my-api|my_api|--format|env"
  "get|-x"
  "get|web|--port|1|--port|2"
  "release"
  "release|web|--port|1"
  "release|--port|0"
  "list|extra"
  "prune|extra"
  "inspect|-1"
  "wait|0"
  "wait|web|--timeout|-1"
  "stop|web|--signal|STOP"
  "stop|web|--timeout|soon"
  "url|---"
)
for c in "${bad_cases[@]}"; do
  IFS='|' read -r -a argv <<<"$c"
  [ "${#argv[@]}" -eq 1 ] && [[ "$c" == *"|" ]] && argv+=("")
  run b "${argv[@]}"
  check "bad input [$c] exits 2 (got $rc)" [ "$rc" -eq 2 ]
  check "bad input [$c] one error line" one_error_line
  check "bad input [$c] leaves the registry" cmp -s <(snapshot) "$tmp/before"
done
run "$berth" nosuchcommand
check "unknown command exits 2" [ "$rc" -eq 2 ]
run env BERTH_HOME=relative/dir "$berth" get web
check "relative BERTH_HOME exits 2" [ "$rc" -eq 2 ]
check "relative BERTH_HOME one line" one_error_line

# --- a dead owner's port comes back at the next get ---------------------------
sleep 60 & owner=$!
run b get db --owner $owner --range 20000-20010 --port 20008
check "owned by a child" [ "$out" = 20008 ]
kill -9 $owner; wait $owner 2>/dev/null
run b list --json
check "dead owner listed stale" grep -q '"app": "db", "port": 20008, "pid": '$owner', "start": "[0-9]*", "state": "stale"' <<<"$out"
run b get other --range 20000-20010 --port 20008
check "port handed out again" [ "$out" = 20008 ]

# --- release and prune ---------------------------------------------------------
run b release web
check "release exits 0" [ "$rc" -eq 0 ]
check "release says what" grep -q 'released 1 entry for app "web"' <<<"$out"
run b release web
check "release of nothing exits 1" [ "$rc" -eq 1 ]
check "release of nothing one line" one_error_line
run b release --port 20005
check "release --port" [ "$rc" -eq 0 ]
sleep 60 & owner=$!
b get gone --owner $owner >/dev/null
kill -9 $owner; wait $owner 2>/dev/null
# An allocation judges only the ports it looks at (format 2), so stale
# entries stay until prune: here also those of the subshells `run` started
# (busy, other). Before, every allocation dropped them all, and prune found
# only `gone`.
run b list --json
stale=$(grep -o '"state": "stale"' <<<"$out" | wc -l)
check "gone is among the stale ($out)" grep -q '"app": "gone", .*"state": "stale"' <<<"$out"
run b prune
if [ "$stale" -eq 1 ]; then want="pruned 1 stale entry"; else want="pruned $stale stale entries"; fi
check "prune counts ($out, want $want)" [ "$out" = "$want" ]
run b list --json
check "prune leaves nothing stale" bash -c '! grep -q "\"stale\"" <<<"$0"' "$out"
run b prune
check "prune again" [ "$out" = "pruned 0 stale entries" ]

# --- the memory's lock held, a lease lock held; a corrupt registry ----------------
# registry.lock guards only the memory of which port each app had (taken
# when an app gets a port it never had). Held by another process for longer
# than BERTH_LOCK_TIMEOUT, get goes on without remembering: stickiness is
# not worth failing for. (Before format 2 every get needed that lock and
# failed here; the registry.lock wait is a POSIX record lock now, so the
# holder is python's lockf, not flock(1).)
/usr/bin/python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(5)' "$reg/registry.lock" "$tmp/locked" &
holder=$!
for _ in $(seq 100); do [ -e "$tmp/locked" ] && break; sleep 0.05; done
cp "$reg/registry" "$tmp/before"
start=$(date +%s%N)
run env BERTH_LOCK_TIMEOUT=0.5 "$berth" get locked --registry "$reg"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
check "memory lock held: get still works (exit $rc: $err)" [ "$rc" -eq 0 ]
check "memory lock held: get prints a port" is_number "$out"
check "memory lock held: waits about the timeout ($elapsed ms)" \
  [ "$elapsed" -ge 400 -a "$elapsed" -lt 4000 ]
check "memory lock held: nothing remembered" cmp -s "$reg/registry" "$tmp/before"
kill $holder; wait $holder 2>/dev/null
"$berth" release locked --registry "$reg" >/dev/null

# A held lease lock means taken, whoever is on file.
flock "$reg/leases/20009.lock" sleep 5 & holder=$!
sleep 0.3
run b get flocked --range 20000-20010 --port 20009
check "a held lease lock: another port ($out)" [ "$rc" -eq 0 -a "$out" != 20009 ]
check "a held lease lock: says why ($err)" grep -q "wanted port 20009 is held" <<<"$err"
kill $holder; wait $holder 2>/dev/null
"$berth" release flocked --registry "$reg" >/dev/null

printf 'not a registry at all\n' >"$reg/registry"
run b get web
check "corrupt registry: get still works" [ "$rc" -eq 0 ]
check "corrupt registry: one warning line" one_error_line
check "corrupt registry: moved aside" ls "$reg"/registry.corrupt-* >/dev/null
check "corrupt registry: new one decodes" grep -q "^berth-registry 2$" "$reg/registry"

# --- a failed write leaves the previous registry byte for byte -------------------
snapshot >"$tmp/before"
# (stderr goes through a pipe: the size limit would stop a write to a file.)
err=$(bash -c 'ulimit -f 0; exec "$0" get fsize --registry "$1" --owner "$2"' \
      "$berth" "$reg" $$ 2>&1 >/dev/null); rc=$?
check "failed write exits 1 (got $rc)" [ "$rc" -eq 1 ]
check "failed write is one line" one_error_line
check "failed write keeps the registry" cmp -s <(snapshot) "$tmp/before"
check "failed write leaves no temp file" [ -z "$(ls -A "$reg" | grep -i tmp)" ]

# --- -- ends the options of every command ------------------------------------------
run b get --owner $$ -- -x
check "get -- -x: an app named -x ($err)" [ "$rc" -eq 0 ]
check "get -- -x: prints a port" is_number "$out"
dashx=$out
run b list --json
check "get -- -x: listed" grep -q "\"app\": \"-x\", \"port\": $dashx" <<<"$out"
run b url -- -x
check "url -- -x" [ "$out" = "http://x.localhost:$dashx" ]
run b release -- -x
check "release -- -x ($err)" [ "$out" = 'released 1 entry for app "-x"' ]
run b get -x --owner $$
check "without --, -x is an unknown option" [ "$rc" -eq 2 ]
check "... which says to put -- before it" grep -q "put -- before" <<<"$err"

# --- a result that cannot be written -------------------------------------------------
if [ -w /dev/full ]; then
  "$berth" get full --registry "$reg" --owner $$ 2>"$tmp/err" >/dev/full; rc=$?
  err=$(cat "$tmp/err")
  check "get >/dev/full exits 1 (got $rc)" [ "$rc" -eq 1 ]
  check "get >/dev/full: one error line ($err)" one_error_line
  check "get >/dev/full: says so" grep -q "cannot write the result" <<<"$err"
  check "get >/dev/full: the port is given back" \
    bash -c '! grep -qs "^app full$" "$0"/leases/*.lock' "$reg"
  "$berth" list --registry "$reg" >/dev/full 2>"$tmp/err"; rc=$?
  check "list >/dev/full exits 1 (got $rc)" [ "$rc" -eq 1 ]
  "$berth" --help >/dev/full 2>/dev/null
  check "--help >/dev/full exits 1" [ $? -eq 1 ]
else
  echo "SKIP: no writable /dev/full here: the full-output cases did not run"
fi

# --- names are printed escaped, every error is one line -------------------------------
no_escape() { ! grep -q $'\x1b' <<<"$1"; }
run "$berth" "$(printf 'bad\ncommand\033[31m')"
check "a command name with a newline: one line ($err)" one_error_line
check "... escaped" grep -qF 'bad\ncommand\x1b[31m' <<<"$err"
run b get "$(printf 'a\nb')" --owner $$
check "an app name with a newline: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "an app name with a newline: one line ($err)" one_error_line

# A process whose name holds a newline and an escape sequence (any user can
# name a process so, with prctl), listening on a port.
/usr/bin/python3 - "$tmp/evil" <<'PY' &
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, b"ev\nil\x1b[2J", 0, 0, 0)  # PR_SET_NAME
s = socket.socket()
for port in range(20100, 20200):  # not an ephemeral port: berth says that
    try:
        s.bind(("127.0.0.1", port)); break
    except OSError:
        pass
s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(30)
PY
evil=$!
for _ in $(seq 200); do [ -s "$tmp/evil" ] && break; sleep 0.05; done
evilport=$(cat "$tmp/evil")
run "$berth" who "$evilport"
check "who: one line for one listener ($out)" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
check "who: the name escaped" grep -qF 'ev\nil\x1b[2J' <<<"$out"
check "who: no raw escape" no_escape "$out"
run b get evil --owner $$ --port "$evilport"
check "get's reason naming it: one line ($err)" one_error_line
check "get's reason: the name escaped ($err)" \
  grep -qF "is busy: ev\\nil\\x1b[2J (pid $evil)" <<<"$err"
check "get's reason: no raw escape" no_escape "$err"
kill $evil; wait $evil 2>/dev/null
"$berth" release evil --registry "$reg" >/dev/null

# A lease record anyone could have written, naming an app with control
# characters (percent-encoded on disk): list prints them escaped.
cat >"$reg/leases/20010.lock" <<LEASE
berth-lease 2
port 20010
app ev%0Ail%1B[2J
pid $$
start $(cut -d' ' -f22 /proc/$$/stat)
pidns $(stat -L -c %i /proc/self/ns/pid)
boot $(cat /proc/sys/kernel/random/boot_id)
since $(date +%s)
hold pid
end
LEASE
run b list
check "list: the crafted app is live ($out)" grep -q "20010 .* live" <<<"$out"
check "list: its name escaped" grep -qF 'ev\nil\x1b[2J' <<<"$out"
check "list: no raw escape" no_escape "$out"
run b list --json
check "list --json: JSON escapes" grep -qF '"app": "ev\u000ail\u001b[2J"' <<<"$out"
: >"$reg/leases/20010.lock"

# --- summary (JUnit XML for the CI count) ---------------------------------------
finish
