#!/bin/sh
# holder.sh BERTH APP [PORT]: a shell holder for one_registry_test. `berth
# run` takes the port and execs sh, which prints it and execs cat: the same
# process (berth's PID) holds the inherited lease until stdin closes.
berth=$1
app=$2
exec "$berth" run "$app" ${3:+--port "$3"} -- sh -c 'echo "$PORT"; exec cat >/dev/null'
