#!/usr/bin/env bash
# wine_run: everything berth does with wine, in one place.
#
#   wine_run PROGRAM.exe [ARGS...]  run a Windows program (Bazel's --run_under
#                                   in the mingw config, see .bazelrc)
#   wine_run --prepare              make the wine prefix if it is missing
#                                   (tools/setup --windows)
#   wine_run --start-server         start the wineserver, quietly, to stay
#   wine_run --stop-server          stop it and every wine process of the
#                                   prefix, unless another ./bazelw uses it
#                                   (./bazelw, around a mingw run; CI)
#
# - WINEPREFIX defaults to one in the build cache, outside the checkout
#   (${BERTH_BUILD_CACHE:-${XDG_CACHE_HOME:-~/.cache}/berth-build}/wine), made
#   once (5-20 s) and reused. WINEDEBUG=-all keeps wine's chatter out of logs.
# - Absolute paths in the test environment (XML_OUTPUT_FILE, TEST_TMPDIR, ...)
#   become Z:\ paths: a Windows program takes "/tmp/x" for a path on the
#   current drive, and gtest would write its XML report under the runfiles.
# - The wineserver, and the wine services the first program starts, inherit
#   that program's descriptors and outlive it: a test runner waiting on its
#   output pipes would wait for them. And Bazel kills every process a test
#   leaves behind when it ends, a wineserver too, while other tests still
#   use it. So the server is started before the tests, outside Bazel, with
#   nothing open but /dev/null (--start-server, which ./bazelw runs); a test
#   finding none fails at once. Outside tests (bazel run) a missing server
#   is started here the same way, lingering 10 s after the last program.
# - wine hands the program's exit code back; its stdout uses \r\n.
set -euo pipefail

if [ -z "${WINEPREFIX:-}" ]; then
  cache=${BERTH_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/berth-build}
  export WINEPREFIX=$cache/wine
fi
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko: nothing here needs .NET or HTML, and there is no network.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
# wine finds its wineserver through a directory under $TMPDIR (Debian's
# wine names it in $WINEPREFIX/wineserver, upstream's is .wine-UID). The
# shell that starts the server (./bazelw) and Bazel's test environment may
# disagree about TMPDIR, and then each would get a wineserver of its own:
# every wine process of ours uses /tmp.
export TMPDIR=/tmp

# server_running: whether the prefix's wineserver runs. It listens on
# $TMPDIR/DIR/server-DEV-INODE/socket (DEV and INODE those of the prefix, in
# hex) and holds a POSIX lock on the "lock" file beside it; a killed server
# leaves its socket behind, but not its lock.
server_running() {
  local dir dev ino lock
  dir=$(cat "$WINEPREFIX/wineserver" 2>/dev/null || echo ".wine-$(id -u)")
  read -r dev ino < <(stat -L -c '%D %i' "$WINEPREFIX")
  dir=$(printf '%s/%s/server-%x-%x' "$TMPDIR" "$dir" "0x$dev" "$ino")
  [ -S "$dir/socket" ] && [ -f "$dir/lock" ] || return 1
  lock=$(stat -c %i "$dir/lock")
  grep -qE "^[0-9]+: POSIX +ADVISORY +WRITE +[0-9]+ [0-9a-f]+:[0-9a-f]+:$lock " /proc/locks
}

# start_server_quietly LINGER: unless one runs, start a wineserver (-pLINGER)
# and the wine services with nothing open but /dev/null.
start_server_quietly() (
  for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  exec </dev/null >/dev/null 2>&1
  # One starter at a time; a second wineserver would exit at once anyway.
  exec 9>"$WINEPREFIX/.wine_run.lock"
  flock 9
  if ! server_running; then
    wineserver "-p$1" 9>&- || true
    wine cmd /c exit 9>&- || true
  fi
)

case ${1:-} in
  --prepare)
    [ -f "$WINEPREFIX/system.reg" ] && exit 0
    echo "wine_run: making the wine prefix $WINEPREFIX (once)" >&2
    mkdir -p "$WINEPREFIX"
    if ! wineboot --init </dev/null >"$WINEPREFIX.log" 2>&1 \
       || ! wineserver -w || [ ! -f "$WINEPREFIX/system.reg" ]; then
      echo "wine_run: wineboot failed; see $WINEPREFIX.log" >&2
      exit 1
    fi
    exit 0
    ;;
  --start-server)
    start_server_quietly ""  # -p alone: stay until --stop-server
    exit 0
    ;;
  --stop-server)
    [ -d "$WINEPREFIX" ] && command -v wineserver >/dev/null || exit 0
    # Not while another ./bazelw uses the prefix: each holds a shared lock
    # on this file for as long as it runs.
    exec 9>>"$WINEPREFIX.users"
    flock -xn 9 || exit 0
    wineserver -k 2>/dev/null || true
    wineserver -w 2>/dev/null || true
    exit 0
    ;;
  ""|--*)
    echo "usage: wine_run PROGRAM.exe [ARGS...] | --prepare | --start-server | --stop-server" >&2
    exit 2
    ;;
esac

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "wine_run: no wine prefix at $WINEPREFIX; ./bazelw test --config=mingw makes one" >&2
  exit 1
fi

# wine_path PATH: a Unix absolute path as a Windows one on drive Z: (the
# prefix maps Z: to /); anything else unchanged.
wine_path() {
  case $1 in
    /*) local p=${1//\//\\}; printf 'Z:%s' "$p" ;;
    *) printf '%s' "$1" ;;
  esac
}
for var in XML_OUTPUT_FILE TEST_TMPDIR TEST_SRCDIR RUNFILES_DIR \
           TEST_UNDECLARED_OUTPUTS_DIR TEST_UNDECLARED_OUTPUTS_ANNOTATIONS_DIR \
           TEST_PREMATURE_EXIT_FILE TEST_SHARD_STATUS_FILE \
           TEST_INFRASTRUCTURE_FAILURE_FILE TEST_WARNINGS_OUTPUT_FILE; do
  if [ -n "${!var:-}" ]; then
    export "$var=$(wine_path "${!var}")"
  fi
done

if ! server_running; then
  if [ -n "${TEST_TARGET:-}" ]; then
    # Bazel kills whatever a test leaves behind when the test ends: a
    # wineserver started here would die with this test, under the feet of
    # the tests running next to it.
    echo "wine_run: no wineserver runs for $WINEPREFIX; run the tests with" \
         "./bazelw, or start one first: toolchains/wine_run.sh --start-server" >&2
    exit 1
  fi
  start_server_quietly 10
fi
exec wine "$@"
