#!/usr/bin/env bash
# End-to-end tests of the berth binary: get, list, release, prune, bad input.
# Usage (Bazel sh_test): cli_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
reg=$tmp/reg


b() { local cmd=$1; shift; "$berth" "$cmd" --registry "$reg" "$@"; }

# run CMD...: sets $out, $err, $rc
run() {
  out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err")
}

one_error_line() {  # stderr is exactly one line starting "berth: "
  [[ "$err" == berth:* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}

# --- help -------------------------------------------------------------------
run "$berth" --help
check "help exits 0" [ "$rc" -eq 0 ]
check "help lists get" grep -q "get APP" <<<"$out"
for c in get release list prune inspect; do
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
cp "$reg/registry" "$tmp/before"
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
  "get|a|b"
  "release"
  "release|web|--port|1"
  "release|--port|0"
  "list|extra"
  "prune|extra"
  "inspect|-1"
)
for c in "${bad_cases[@]}"; do
  IFS='|' read -r -a argv <<<"$c"
  [ "${#argv[@]}" -eq 1 ] && [[ "$c" == *"|" ]] && argv+=("")
  run b "${argv[@]}"
  check "bad input [$c] exits 2 (got $rc)" [ "$rc" -eq 2 ]
  check "bad input [$c] one error line" one_error_line
  check "bad input [$c] leaves the registry" cmp -s "$reg/registry" "$tmp/before"
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
run b prune
check "prune counts" [ "$out" = "pruned 1 stale entry" ]
run b prune
check "prune again" [ "$out" = "pruned 0 stale entries" ]

# --- lock timeout, corrupt registry ----------------------------------------------
flock "$reg/registry.lock" sleep 5 & holder=$!
sleep 0.3
start=$(date +%s%N)
run env BERTH_LOCK_TIMEOUT=0.5 "$berth" get locked --registry "$reg"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
check "lock timeout exits 1" [ "$rc" -eq 1 ]
check "lock timeout names the lock file" grep -q "registry.lock" <<<"$err"
check "lock timeout is one line" one_error_line
check "lock timeout waits about the timeout ($elapsed ms)" [ "$elapsed" -lt 4000 ]
kill $holder; wait $holder 2>/dev/null

printf 'not a registry at all\n' >"$reg/registry"
run b get web
check "corrupt registry: get still works" [ "$rc" -eq 0 ]
check "corrupt registry: one warning line" one_error_line
check "corrupt registry: moved aside" ls "$reg"/registry.corrupt-* >/dev/null
check "corrupt registry: new one decodes" head -1 "$reg/registry" | grep -q "^berth-registry 1$"

# --- a failed write leaves the previous registry byte for byte -------------------
cp "$reg/registry" "$tmp/before"
# (stderr goes through a pipe: the size limit would stop a write to a file.)
err=$(bash -c 'ulimit -f 0; exec "$0" get fsize --registry "$1" --owner "$2"' \
      "$berth" "$reg" $$ 2>&1 >/dev/null); rc=$?
check "failed write exits 1 (got $rc)" [ "$rc" -eq 1 ]
check "failed write is one line" one_error_line
check "failed write keeps the registry" cmp -s "$reg/registry" "$tmp/before"
check "failed write leaves no temp file" [ -z "$(ls -A "$reg" | grep -i tmp)" ]

# --- summary (JUnit XML for the CI count) ---------------------------------------
finish
