#!/usr/bin/env bash
# Issue case 8: berth never writes a registry it cannot read back. 1,700
# `berth get`s, each for another app with a 200-byte name, in ten scopes of
# 1,000 bytes each, all for one live owner (this shell), once made the
# memory file grow past the 1 MiB that readers accept: the next call moved
# the whole registry aside and forgot every live entry. Now:
#   - every one of them is still on file and live afterwards, on a port of
#     its own;
#   - the memory file (`registry`) stays within its budget (256 KiB, what
#     registry/codec.h kMemoryBudgetBytes says), forgetting the oldest apps
#     first, and decodes: another get reads it back without a word, and no
#     file was ever moved aside as corrupt;
#   - the newest app is remembered.
# Usage (Bazel sh_test): many_gets_test.sh PATH_TO_BERTH
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BERTH_HOME=$tmp/reg
# Wide, so that each get finds a free port after a short scan.
export BERTH_RANGE=20000-31999
n=1700
budget=$((256 * 1024))

if [ "$(stat -L -c %i /proc/self/ns/pid)" != 4026531836 ]; then
  echo "SKIP: not in the initial PID namespace, where berth get is refused" \
       "(run unsandboxed: no-sandbox)"
  finish
fi

pad=$(printf '%0200d' 0 | tr 0 x)
scopes=()
for s in $(seq 0 9); do
  scope=/scope-$s/$(printf '%0990d' 0 | tr 0 d)
  scopes+=("${scope:0:1000}")
done
app() { local a="app-$1-$pad"; echo "${a:0:200}"; }

# gets FIRST: every second get from FIRST on (two callers at once, as two
# shells of one user would be).
gets() {
  local i failed=0
  for ((i = $1; i <= n; i += 2)); do
    BERTH_SCOPE=${scopes[$((i % 10))]} "$berth" get "$(app "$i")" \
      --owner $$ >>"$tmp/ports.$1" 2>>"$tmp/errors.$1" || failed=$((failed + 1))
  done
  echo "$failed" >"$tmp/failed.$1"
}
start=$SECONDS
gets 1 &
gets 2 &
wait
echo "$n gets in $((SECONDS - start)) s"
failed=$(($(cat "$tmp/failed.1") + $(cat "$tmp/failed.2")))
cat "$tmp/ports.1" "$tmp/ports.2" >"$tmp/ports"
cat "$tmp/errors.1" "$tmp/errors.2" >"$tmp/errors"
check "every get succeeded ($failed failed)" [ "$failed" -eq 0 ]
head -3 "$tmp/errors"
check "no get said anything on stderr" [ ! -s "$tmp/errors" ]
check "$n distinct ports" [ "$(sort -u "$tmp/ports" | wc -l)" -eq "$n" ]

list=$("$berth" list --json)
check "all $n on file" [ "$(grep -c '"port"' <<<"$list")" -eq "$n" ]
check "all $n live" [ "$(grep -c '"state": "live"' <<<"$list")" -eq "$n" ]

size=$(stat -c %s "$BERTH_HOME/registry")
echo "registry: $size bytes"
check "the memory file is within its budget ($size <= $budget)" [ "$size" -le "$budget" ]
check "it is whole (format 2, closed by end)" \
  [ "$(head -1 "$BERTH_HOME/registry")" = "berth-registry 2" -a \
    "$(tail -1 "$BERTH_HOME/registry")" = "end" ]
check "the newest app is remembered" grep -q "app-$n-" "$BERTH_HOME/registry"
err=$(BERTH_SCOPE=${scopes[0]} "$berth" get one-more --owner $$ 2>&1 >/dev/null)
check "the next get reads it back without a word ($err)" [ -z "$err" ]
check "nothing was ever moved aside as corrupt" \
  [ -z "$(find "$BERTH_HOME" -name '*corrupt*')" ]
again=$(BERTH_SCOPE=${scopes[$((n % 10))]} "$berth" get "$(app "$n")" --owner $$)
check "asking again for the newest app gives its port" \
  [ "$again" = "$(tail -1 "$tmp/ports.$((2 - n % 2))")" ]

finish
