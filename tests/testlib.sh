# testlib.sh: the few helpers berth's shell tests share. Source it.
#   check NAME CMD...   counts CMD's success as a passed check
#   finish              prints "N passed, N failed", writes JUnit XML for
#                       Bazel ($XML_OUTPUT_FILE), exits non-zero on failure
#   abs_path PATH       PATH made absolute (for a Bazel argument, relative
#                       to where the test started)
#   retry SECONDS CMD...  runs CMD every 0.05 s until it succeeds, for up
#                       to SECONDS (whole); fails if it never does
#   wait_for CMD...     retry 20 CMD...
#   kill_jobs           kills (-9) the script's background jobs left; for
#                       `trap kill_jobs EXIT`
#   state_of PORT       PORT's state in `"$berth" list --json` ($berth: the
#                       berth binary under test)
#   need_pid_namespaces [UNSHARE_OPTION...]
#                       skips the test (says why, then finish) unless it
#                       runs in the initial PID namespace and
#                       `unshare --pid --fork UNSHARE_OPTION...` works
#   in_private_mount_ns "$@"
#                       re-runs the script, with its arguments, in a
#                       private mount namespace of its own (unshare -m);
#                       skips the test (says why, then finish) where none
#                       can be entered
passed=0
failed=0
check() {
  local name=$1; shift
  if "$@" >/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name" >&2
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  if [ -n "${XML_OUTPUT_FILE:-}" ]; then
    {
      echo "<testsuites><testsuite name=\"${TEST_TARGET:-shell}\" tests=\"$((passed + failed))\" failures=\"$failed\">"
      for i in $(seq "$passed"); do echo "<testcase name=\"check$i\"/>"; done
      for i in $(seq "$failed"); do echo "<testcase name=\"failed$i\"><failure/></testcase>"; done
      echo "</testsuite></testsuites>"
    } >"$XML_OUTPUT_FILE"
  fi
  [ "$failed" -eq 0 ]
  exit
}

abs_path() {
  echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}
retry() {
  local tries=$(($1 * 20)); shift
  for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.05; done
  return 1
}
wait_for() { retry 20 "$@"; }
kill_jobs() {
  local p
  for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
}
state_of() {
  "$berth" list --json | grep "\"port\": $1," | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

need_pid_namespaces() {
  local why
  # The initial PID namespace's inode (PROC_PID_INIT_INO).
  if [ "$(stat -L -c %i /proc/self/ns/pid)" != 4026531836 ]; then
    echo "SKIP: not in the initial PID namespace (run unsandboxed: no-sandbox)"
    finish
  fi
  if ! why=$(unshare --pid --fork "$@" true 2>&1); then
    echo "SKIP: cannot make a PID namespace (unshare --pid: $why);" \
         "these cases need root or CAP_SYS_ADMIN"
    finish
  fi
}
in_private_mount_ns() {
  local why
  [ -n "${BERTH_TEST_MOUNT_NS:-}" ] && return 0  # in it: the re-run
  if why=$(unshare -m true 2>&1); then
    BERTH_TEST_MOUNT_NS=1 exec unshare -m --propagation private "$0" "$@"
  fi
  echo "SKIP: cannot enter a private mount namespace (unshare -m: $why);" \
       "these cases need root or CAP_SYS_ADMIN"
  finish
}
