#!/usr/bin/env bash
# examples/consumer/ports_test.sh: one of eight tests (ports_test_1..8) that
# `bazel test` runs at once (.bazelrc: --local_test_jobs=8), all taking
# ports for the same apps, web and api, at the same time, with berth's
# default configuration (no BERTH_HOME, no --registry): each test in its
# own sandbox and PID namespace, with no HOME, must still share one
# registry with all the others. Each test:
#   - takes web and api with the C++ API (port_hold lease, berth::Acquire);
#   - starts a server on web and one on api with `berth run`;
#   - asks `berth get web` for this shell, which inside the sandbox's PID
#     namespace (Linux) must be refused (exit 1) with a message that names
#     berth run; where it is not refused (macOS, or --spawn_strategy=local)
#     it serves that port;
# every holder listens on its port for three seconds and logs its span.
# The log is $BERTH_CONSUMER_LOG/spans when CI passes a directory shared by
# all the tests (Bazel 4 shares /tmp with the host), else this test's own
# outputs. CI's check (check_spans.sh) then proves no two overlapping
# holders shared a port and that eight tests ran at once.
# Usage (Bazel sh_test): ports_test.sh PATH_TO_BERTH PATH_TO_PORT_HOLD
set -uo pipefail

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
hold=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
name=${TEST_TARGET##*:}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export SPANS=${BERTH_CONSUMER_LOG:-${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}}/spans
export HOLD_MS=3000
now() { "$hold" now; }

start=$(now)
failed=0
# With CI's shared log: wait (up to 30 s, half a small test's timeout)
# until all eight have started, so that they overlap even when a loaded
# machine starts them slowly. check_spans.sh reports if they did not.
if [ -n "${BERTH_CONSUMER_LOG:-}" ]; then
  echo "start $name" >>"$SPANS"
  for _ in $(seq 300); do
    [ "$(grep -c '^start ports_test' "$SPANS")" -ge 8 ] && break
    sleep 0.1
  done
fi
fail() { echo "FAIL: $*" >&2; failed=1; }

holders=()
"$hold" lease web "$name/lease-web" & holders+=($!)
"$hold" lease api "$name/lease-api" & holders+=($!)
"$berth" run web -- "$hold" serve "$name/run-web" & holders+=($!)
"$berth" run api -- "$hold" serve "$name/run-api" & holders+=($!)

# --owner $$: where the shell forks once more for $(...) (bash does with a
# redirection inside), berth's parent is a subshell gone at once; berth
# looks past it on Linux only.
port=$("$berth" get web --owner $$ 2>"$tmp/get.err")
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "get $name $port" >>"$SPANS"
  PORT=$port "$hold" serve "$name/get-web" || fail "serving the port of berth get"
elif [ "$rc" -eq 1 ] && grep -q "^berth: get: .*berth run" "$tmp/get.err"; then
  echo "get $name refused" >>"$SPANS"
  echo "berth get was refused, as it must be here: $(cat "$tmp/get.err")"
else
  fail "berth get: exit $rc, $(cat "$tmp/get.err")"
fi

for pid in "${holders[@]}"; do
  wait "$pid" || fail "a holder failed (see above)"
done
echo "test $name $start $(now) $([ "$failed" -eq 0 ] && echo ok || echo failed)" >>"$SPANS"
exit "$failed"
