# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""The Python peers' side of bench/compare: portpicker and psutil, and
berth's Python package in the same interpreter.

Run by Debian's /usr/bin/python3 (python3-portpicker, python3-psutil) and
driven over stdin/stdout like bench/compare_worker.cc: one command a line,
fields separated by tabs, one answer line of numbers (or "error\tWHY").

  pick N               N times portpicker.pick_unused_port(), each followed
                       by portpicker.return_port(port); answers
                       "PICK_NS PICK_AND_RETURN_NS" per call
  berth_pick N         the same with berth.pick_unused_port() and
                       berth.return_port() (berth on PYTHONPATH, its
                       registry in $BERTH_HOME, its range in $BERTH_RANGE)
  is_running N PID     N times psutil.Process(PID).is_running(); NS per call
  create_time N PID    N times psutil.Process(PID).create_time(); NS per call
"""

import sys
import time

import portpicker
import psutil


def pick(n, module):
    out = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        port = module.pick_unused_port()
        t1 = clock()
        module.return_port(port)
        t2 = clock()
        out += (t1 - t0, t2 - t0)
    return out


def timed(n, call):
    out = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        call()
        out.append(clock() - t0)
    return out


def main():
    for line in sys.stdin:
        cmd = line.rstrip("\n").split("\t")
        try:
            n = int(cmd[1])
            if cmd[0] == "pick":
                answer = pick(n, portpicker)
            elif cmd[0] == "berth_pick":
                import berth  # only where bench/compare put it on the path
                answer = pick(n, berth)
            elif cmd[0] == "is_running":
                pid = int(cmd[2])
                answer = timed(n, lambda: psutil.Process(pid).is_running())
            elif cmd[0] == "create_time":
                pid = int(cmd[2])
                answer = timed(n, lambda: psutil.Process(pid).create_time())
            else:
                raise ValueError("unknown command: " + " ".join(cmd))
            print(" ".join(map(str, answer)), flush=True)
        except Exception as e:  # reported to bench/compare, which stops
            print("error\t%s" % e, flush=True)


if __name__ == "__main__":
    main()
