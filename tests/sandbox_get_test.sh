#!/usr/bin/env bash
# Inside a PID namespace of its own (bazel test's linux-sandbox, a
# container), `berth get` cannot make a reservation other berths could
# check, so it is refused: exit 1, one line that names `berth run`, nothing
# written. `berth run` works there, staying the server's parent.
# Usage (Bazel sh_test, sandboxed): sandbox_get_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BERTH_HOME=$tmp/reg

# The initial PID namespace has the inode 0xEFFFFFFC (PROC_PID_INIT_INO).
ns=$(readlink /proc/self/ns/pid)
if [ "$ns" = "pid:[4026531836]" ]; then
  echo "SKIP: not inside a PID namespace of its own ($ns): the sandbox is" \
       "off (--spawn_strategy=standalone?), and get is allowed here"
  finish
fi

# run CMD...: sets $out, $err, $rc
run() {
  out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err")
}
one_error_line() {  # stderr is exactly one line starting "berth: "
  [[ "$err" == berth:* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}
held() {  # the lease files that hold a record
  find "$BERTH_HOME/leases" -name '*.lock' -size +0 2>/dev/null
}

for args in "web" "web --owner $$" "web db --format env" "web --json"; do
  # shellcheck disable=SC2086  # words on purpose
  run "$berth" get $args
  check "get $args: exit 1 (got $rc)" [ "$rc" -eq 1 ]
  check "get $args: one error line ($err)" one_error_line
  check "get $args: names berth run" grep -q "berth run" <<<"$err"
  check "get $args: prints nothing" [ -z "$out" ]
  check "get $args: holds nothing" [ -z "$(held)" ]
done

# berth run works here: it stays the server's parent and holds the ports.
run "$berth" run web db -- sh -c 'echo "$WEB_PORT $DB_PORT"; exit 3'
check "run in the sandbox: the server's exit status (got $rc)" [ "$rc" -eq 3 ]
check "run in the sandbox: two ports ($out)" grep -qE '^[0-9]+ [0-9]+$' <<<"$out"
run "$berth" list
check "run in the sandbox: nothing held after it ($out)" [ "$out" = "no ports held" ]

finish
