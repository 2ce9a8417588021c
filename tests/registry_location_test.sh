#!/usr/bin/env bash
# Issue case 5: one registry per user, whatever the environment. Servers
# started by `berth run` for the same app, each from another kind of
# environment, with no BERTH_HOME and no --registry:
#   a desktop shell (HOME, XDG_RUNTIME_DIR), `env -i` (nothing at all),
#   XDG_RUNTIME_DIR and XDG_STATE_HOME in odd places, HOME unset, HOME
#   read-only, a cron job (a minimal environment, the home as working
#   directory, no controlling terminal), an ssh session (HOME, no
#   XDG_RUNTIME_DIR), a systemd service (HOME=/, INVOCATION_ID)
# all get distinct ports and each environment's `berth list` shows every
# one of them live: they share one registry, the per-user directory
# (/dev/shm/berth-UID), created 0700 even under umask 000. BERTH_HOME still
# overrides: a server started with it is in its own registry only.
#
# The script enters a private mount namespace first (unshare -m) and mounts
# a fresh tmpfs on /dev/shm there, so the per-user directory is this test's
# own, and a read-only tmpfs for the read-only home. Where mounting is not
# allowed it says why and passes with nothing checked.
# Usage (Bazel sh_test): registry_location_test.sh PATH_TO_BERTH PATH_TO_PORT_HOLDER
set -uo pipefail
source "$(dirname "$0")/testlib.sh"

berth=$(abs_path "$1")
holder=$(abs_path "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}

in_private_mount_ns "$@"
if ! why=$(mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2>&1); then
  echo "SKIP: cannot mount a tmpfs on /dev/shm here ($why)"
  finish
fi
unset BERTH_HOME BERTH_SCOPE
trap kill_jobs EXIT
dir=/dev/shm/berth-$(id -u)
ready=$tmp/ready
mkdir -p "$ready" "$tmp/home" "$tmp/run-user" "$tmp/ro-home" "$tmp/odd-state"
mount -t tmpfs -o ro,size=64k tmpfs "$tmp/ro-home"

# Each environment, as the command prefix that makes it.
names=(desktop env-i odd-xdg no-home ro-home cron ssh systemd)
envs=(
  "env HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run-user"
  "env -i"
  "env XDG_RUNTIME_DIR=/nonexistent/run XDG_STATE_HOME=$tmp/odd-state XDG_CONFIG_HOME=/proc"
  "env -u HOME -u XDG_RUNTIME_DIR -u XDG_STATE_HOME"
  "env HOME=$tmp/ro-home XDG_RUNTIME_DIR= XDG_STATE_HOME="
  "env -i HOME=$tmp/home LOGNAME=$(id -un) USER=$(id -un) SHELL=/bin/sh PATH=/usr/bin:/bin setsid -w"
  "env -i HOME=$tmp/home USER=$(id -un) TERM=dumb SSH_CONNECTION=127.0.0.1_50000_127.0.0.1_22 PATH=/usr/bin:/bin"
  "env -i HOME=/ INVOCATION_ID=0123456789abcdef PATH=/usr/bin:/bin"
)
in_env() {  # in_env I CMD...: runs CMD in environment I (cron's from its home)
  local i=$1; shift
  # shellcheck disable=SC2086  # the prefix is words on purpose
  if [ "${names[$i]}" = cron ]; then
    (cd "$tmp/home" && exec ${envs[$i]} "$@")
  else
    ${envs[$i]} "$@"
  fi
}

# --- a server from each environment ----------------------------------------------
# The first call creates the directory, under the loosest umask.
(umask 000; in_env 0 "$berth" run first -- true)
check "created 0700 under umask 000 ($(stat -c %a "$dir"))" \
  [ "$(stat -c %a "$dir")" = 700 ]
for i in "${!names[@]}"; do
  in_env "$i" "$berth" run web -- "$holder" serve --port "{port}" \
    --hold-ms 60000 --log /dev/null --who "${names[$i]}" \
    --ready "$ready/${names[$i]}.port" &
done
all_ready() { [ "$(ls "$ready" | grep -c '\.port$')" -eq "${#names[@]}" ]; }
check "every server got a port and listens on it" wait_for all_ready
ports=$(cat "$ready"/*.port | sort -u)
check "they are ${#names[@]} distinct ports ($(echo $ports))" \
  [ "$(wc -l <<<"$ports")" -eq "${#names[@]}" ]
check "the registry is the per-user directory $dir" test -d "$dir/leases"
check "nothing was written under the homes" \
  [ -z "$(find "$tmp/home" "$tmp/odd-state" -mindepth 1 -print -quit)" ]

# --- every environment sees every server -------------------------------------------
for i in "${!names[@]}"; do
  list=$(in_env "$i" "$berth" list --json)
  for p in $ports; do
    check "${names[$i]} sees port $p live" \
      grep -q "\"port\": $p,.*\"state\": \"live\"" <<<"$list"
  done
done

# --- BERTH_HOME still overrides ---------------------------------------------------
mkdir -m 700 "$tmp/own"
BERTH_HOME=$tmp/own "$berth" run web -- "$holder" serve --port "{port}" \
  --hold-ms 60000 --log /dev/null --who own --ready "$tmp/own.port" &
check "a server with BERTH_HOME runs" wait_for test -s "$tmp/own.port"
own=$(cat "$tmp/own.port")
check "it is in its own registry" \
  grep -q "\"port\": $own," <<<"$(BERTH_HOME=$tmp/own "$berth" list --json)"
check "only there (${#names[@]} live entries in the per-user one)" \
  [ "$(env -i "$berth" list --json | grep -c '"state": "live"')" -eq "${#names[@]}" ]
check "and nothing of the others is in its registry" \
  [ "$(BERTH_HOME=$tmp/own "$berth" list --json | grep -c '"port"')" -eq 1 ]

finish
