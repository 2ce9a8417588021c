#!/usr/bin/env bash
# completion_test.sh BERTH: berth.bash completes commands, options (each
# once), the values of --format and --signal, app names and held ports from
# the registry (the one --registry and --scope name), directories after
# --registry and --scope, and the server's command after
# `berth run APP... --`, without bash-completion installed (its helpers are
# optional). _berth (zsh) must parse. That both scripts know every command
# and option of the table is table_test's part.
set -uo pipefail
berth=$PWD/$1
here=$(dirname "$0")
source "$here/../../tests/testlib.sh"

bin=$TEST_TMPDIR/bin
mkdir -p "$bin" "$TEST_TMPDIR/reg-empty"
ln -sf "$berth" "$bin/berth"
# The holder in the global scope, whatever the directory.
export PATH=$bin:$PATH BERTH_HOME=$TEST_TMPDIR/reg BERTH_RANGE=27500-27599 BERTH_SCOPE=none
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
  got=$(completes "$1" | sed "/^$/d" | sort | paste -sd " " -)
  [ "$got" = "$2" ] || { echo "'$1' gave '$got', not '$2'" >&2; return 1; }
}

check "commands" only "berth " "--help get inspect list prune release run stop url wait who"
check "commands by prefix" only "berth r" "release run"
check "no option but --help before the command" only "berth --" "--help"
check "run's options" has "berth run --" --port --range --socket --host --scope --registry --help --
check "get's options" only "berth get --j" "--json"
check "stop's options" only "berth stop web --" "--help --kill-after --registry --scope --signal --timeout"
check "an option is offered once" only "berth get --json --j" ""
check "--format's values" only "berth get --format " "env json port"
check "--signal's values" has "berth stop web --signal " TERM INT KILL USR2
check "nothing for a value without choices" only "berth wait web --timeout " ""
check "app names from the registry" only "berth release " "completion-web"
check "app names after run" only "berth run comp" "completion-web"
check "app names after stop, url and get" has "berth stop " completion-web
check "app names after url" has "berth url " completion-web
check "app names after get --format env" has "berth get --format env " completion-web
check "an app is offered once" only "berth run completion-web " ""
check "one app for stop" only "berth stop completion-web " ""
check "apps and held ports after wait" only "berth wait " "$port completion-web"
check "held ports after who" only "berth who " "$port"
check "held ports after release --port" only "berth release --port " "$port"
check "no app after release --port P" only "berth release --port $port " ""
check "--registry chooses the registry" only "berth release --registry $TEST_TMPDIR/reg-empty " ""
check "--scope chooses the scope" only "berth stop --scope $TEST_TMPDIR " ""
check "--scope none is the global scope" only "berth stop --scope none " "completion-web"
check "directories after --registry" has "berth list --registry $TEST_TMPDIR/re" "$TEST_TMPDIR/reg" "$TEST_TMPDIR/reg-empty"
check "none and directories after --scope" has "berth url --scope " none
check "the server's command after --" has "berth run completion-web -- slee" sleep
check "the server's command after several apps" has "berth run a --port 1 b -- slee" sleep
check "a -- before the apps only ends the options" only "berth run -- -x --p" ""
check "nothing after an unknown command" only "berth frobnicate " ""
if [ -n "$port" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: no holder" >&2; fi

if command -v zsh >/dev/null; then
  check "_berth parses in zsh" zsh -n "$here/_berth"
else
  echo "skipped: the zsh check (zsh is not installed)"
fi
finish
