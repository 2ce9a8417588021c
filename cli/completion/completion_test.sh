#!/usr/bin/env bash
# completion_test.sh BERTH: berth.bash completes commands, options, app
# names and held ports from the registry, directories after --registry and
# the server's command after `berth run APP --`, without bash-completion
# installed (its helpers are optional). _berth (zsh) must parse.
set -uo pipefail
berth=$PWD/$1
here=$(dirname "$0")
source "$here/../../tests/testlib.sh"

bin=$TEST_TMPDIR/bin
mkdir -p "$bin" "$TEST_TMPDIR/reg-empty"
ln -sf "$berth" "$bin/berth"
export PATH=$bin:$PATH BERTH_HOME=$TEST_TMPDIR/reg BERTH_RANGE=27500-27599
# A live holder, so the registry has an app and a port to offer.
berth run completion-web -- sleep 120 &
holder=$!
trap 'kill $holder 2>/dev/null' EXIT
for _ in $(seq 100); do
  port=$(berth list --json | grep -o '"port": [0-9]*' | grep -o '[0-9]*$')
  [ -n "$port" ] && break
  sleep 0.05
done

source "$here/berth.bash"
# completes LINE: the candidates for the last word of LINE, one a line.
completes() {
  read -r -a COMP_WORDS <<<"$1"
  [ "${1: -1}" = " " ] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _berth
  printf '%s\n' "${COMPREPLY[@]}"
}
has() {  # has LINE WORD...: every WORD is a candidate
  local line=$1 got w
  shift
  got=$(completes "$line")
  for w in "$@"; do grep -qxF -- "$w" <<<"$got" || { echo "'$line' gave: $got" >&2; return 1; }; done
}
only() {  # only LINE WORDS: exactly these candidates
  local got
  got=$(completes "$1" | sort | xargs)
  [ "$got" = "$2" ] || { echo "'$1' gave '$got', not '$2'" >&2; return 1; }
}

check "commands" only "berth " "--help --registry get inspect list prune release run who"
check "commands by prefix" only "berth r" "release run"
check "run's options" has "berth run --" --port --range --socket --host --registry --
check "get's options" only "berth get --j" "--json"
check "app names from the registry" only "berth release " "completion-web"
check "app names after run" only "berth run comp" "completion-web"
check "only one app" only "berth run completion-web " ""
check "held ports after who" only "berth who " "$port"
check "held ports after release --port" only "berth release --port " "$port"
check "--registry chooses the registry" only "berth --registry $TEST_TMPDIR/reg-empty release " ""
check "directories after --registry" has "berth list --registry $TEST_TMPDIR/re" "$TEST_TMPDIR/reg" "$TEST_TMPDIR/reg-empty"
check "the server's command after --" has "berth run completion-web -- slee" sleep
check "nothing after an unknown command" only "berth frobnicate " ""
if [ -n "$port" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: no holder" >&2; fi

if command -v zsh >/dev/null; then
  check "_berth parses in zsh" zsh -n "$here/_berth"
else
  echo "skipped: the zsh check (zsh is not installed)"
fi
finish
