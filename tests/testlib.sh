# testlib.sh: the few helpers berth's shell tests share. Source it.
#   check NAME CMD...   counts CMD's success as a passed check
#   finish              prints "N passed, N failed", writes JUnit XML for
#                       Bazel ($XML_OUTPUT_FILE), exits non-zero on failure
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
