# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""One registry across languages: C, Python, Node and shell holders take
ports at the same time from one registry and never share one; a SIGKILLed
holder of each kind gives its port back, so the next allocation, by
another kind, can take it; a live holder's port is never given away.

Run by interop/one_registry_test.sh, which sets BERTH_BIN, HOLDER_C,
BERTH_LIBRARY and PYTHONPATH (Python), BERTH_NODE_PACKAGE (Node), and
BERTH_HOME and BERTH_RANGE (the registry and the range every holder uses).
"""

import json
import os
import signal
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
LO, HI = map(int, os.environ["BERTH_RANGE"].split("-"))
KINDS = ("c", "python", "node", "shell")


def command(kind, app, want=None):
    extra = [] if want is None else [str(want)]
    if kind == "c":
        return [os.environ["HOLDER_C"], app] + extra
    if kind == "python":
        return [sys.executable, os.path.join(HERE, "holder.py"), app] + extra
    if kind == "node":
        return ["node", os.path.join(HERE, "holder.cjs"), app] + extra
    return ["sh", os.path.join(HERE, "holder.sh"), os.environ["BERTH_BIN"],
            app] + extra


class Holder:
    """A holder process; start() does not wait for its port."""

    def __init__(self, kind, app, want=None):
        self.kind, self.app = kind, app
        self.proc = subprocess.Popen(command(kind, app, want),
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self._port = None

    @property
    def port(self):
        if self._port is None:
            line = self.proc.stdout.readline()
            assert line.strip().isdigit(), "%s holder %s printed %r" % (
                self.kind, self.app, line)
            self._port = int(line)
        return self._port

    def stop(self):
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def holders():
    started = []
    yield started
    for h in started:
        if h.proc.poll() is None:
            h.kill()


def live_entries():
    out = subprocess.run([os.environ["BERTH_BIN"], "list", "--json"],
                         check=True, stdout=subprocess.PIPE, text=True)
    return {e["port"]: e for e in json.loads(out.stdout)
            if e["state"] == "live"}


def test_every_kind_at_once_never_collides(holders):
    for rnd in range(2):
        batch = [Holder(kind, "%s-%d-%d" % (kind, rnd, i))
                 for i in range(4) for kind in KINDS]  # all started at once
        holders.extend(batch)
        ports = [h.port for h in batch]
        assert all(LO <= p <= HI for p in ports), ports
        assert len(set(ports)) == len(ports), sorted(ports)
        entries = live_entries()
        for h in batch:
            assert h.port in entries, (h.kind, h.port)
            assert entries[h.port]["pid"] == h.proc.pid, (h.kind, entries[
                h.port])
            assert entries[h.port]["app"] == h.app
        for h in batch:
            assert h.stop() == 0, h.kind
        assert not set(live_entries()) & set(ports), "stopped holders' ports"


def test_a_killed_holder_of_each_kind_gives_its_port_back(holders):
    alive = [Holder(kind, "live-" + kind) for kind in KINDS]
    doomed = [Holder(kind, "killed-" + kind) for kind in KINDS]
    holders.extend(alive + doomed)
    for h in alive + doomed:
        assert h.port  # read each one's port
    for h in doomed:
        h.kill()
    # The next allocation, by the next kind, asks for each freed port and
    # gets it; asking for a live holder's port gets another one.
    for i, h in enumerate(doomed):
        kind = KINDS[(i + 1) % len(KINDS)]
        taker = Holder(kind, "taker-" + kind, want=h.port)
        holders.append(taker)
        assert taker.port == h.port, "%s could not take the port of the " \
            "killed %s holder" % (kind, h.kind)
    for i, h in enumerate(alive):
        kind = KINDS[(i + 1) % len(KINDS)]
        asker = Holder(kind, "asker-" + kind, want=h.port)
        holders.append(asker)
        assert asker.port != h.port, "%s was given the port of a live %s " \
            "holder" % (kind, h.kind)
    entries = live_entries()
    for h in alive:
        assert entries[h.port]["pid"] == h.proc.pid
