#!/usr/bin/env bash
# examples/consumer/check_spans.sh SPANS MIN_AT_ONCE: checks the log that
# the tests of this workspace (ports_test.sh, server_test) wrote into one
# shared file during one `bazel test`:
#   - no two holders whose spans overlap share a port;
#   - no holder found its port listened on by someone else;
#   - every ports_test got its four ports (C++ API and berth run, web and
#     api) and, for berth get, either a port it served or the refusal;
#   - at least MIN_AT_ONCE tests ran at the same moment.
# Prints what it found; exits 1 if anything is wrong. Run by .ci/run.
set -uo pipefail
log=$1
min=$2
bad=0
problem() { echo "check_spans: $*" >&2; bad=1; }

[ -s "$log" ] || { problem "$log is empty or missing"; exit 1; }

overlaps=$(awk '$1 == "span" {print $2, $3, $4, $5}' "$log" | sort -n -k1,1 -k2,2 | awk '
  $1 != port { port = $1; n = 0 }
  { for (i = 0; i < n; i++) if ($2 < e[i]) print "port " port ": " w[i] " and " $4
    e[n] = $3; w[n] = $4; n++ }')
[ -z "$overlaps" ] || problem "two live holders of one port: $overlaps"
conflicts=$(grep -E '^(conflict|bindfail) ' "$log")
[ -z "$conflicts" ] || problem "ports found listened on: $conflicts"

tests=$(awk '$1 == "test" {print $2}' "$log" | sort)
ports_tests=$(grep -c '^ports_test' <<<"$tests")
for t in $tests; do
  case $t in
    ports_test*)
      for h in lease-web lease-api run-web run-api; do
        grep -q "^span [0-9]* [0-9]* [0-9]* $t/$h$" "$log" || problem "$t: no span of $h"
      done
      if grep -q "^get $t refused$" "$log"; then :
      elif grep -q "^get $t [0-9]" "$log"; then
        grep -q "^span [0-9]* [0-9]* [0-9]* $t/get-web$" "$log" || problem "$t: got a port from berth get and did not hold it"
      else
        problem "$t: berth get neither gave a port nor was refused"
      fi
      ;;
  esac
done
failed=$(awk '$1 == "test" && $5 != "ok" {print $2}' "$log")
[ -z "$failed" ] || problem "tests that failed: $failed"

# The most tests running at one moment: a sweep over their start and end.
at_once=$(awk '$1 == "test" {print $3, 1; print $4, -1}' "$log" | sort -n -k1,1 -k2,2 |
  awk '{n += $2; if (n > m) m = n} END {print m + 0}')

spans=$(grep -c '^span' "$log")
ports=$(awk '$1 == "span" {print $2}' "$log" | sort -u | wc -l)
refused=$(grep -c '^get .* refused$' "$log")
echo "check_spans: $(wc -l <<<"$tests") tests ($ports_tests ports_test), at most $at_once at once;" \
     "$spans holds of $ports ports, $(grep -c . <<<"$overlaps") pairs overlapping on a port;" \
     "berth get refused $refused times"
[ "$at_once" -ge "$min" ] || problem "only $at_once tests ran at once (at least $min wanted)"
exit "$bad"
