# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""berth for Python: leases, groups, portpicker's API, given back on release,
on garbage and on any exit (SIGKILL included), never released by a forked
child, and one clear error for bad input.

Run by python/run_pytest.sh under Debian's /usr/bin/python3, which sets
BERTH_LIBRARY, BERTH_BIN (the berth command), BERTH_HOME (a registry of
its own) and BERTH_RANGE.
"""

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import threading

import pytest

import berth
from berth_testlib import other_process_gets

LO, HI = map(int, os.environ["BERTH_RANGE"].split("-"))
PACKAGE = os.path.dirname(os.path.abspath(berth.__file__))


def entries():
    out = subprocess.run([os.environ["BERTH_BIN"], "list", "--json"],
                         check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout)


def holder_of(port):
    live = [e for e in entries() if e["port"] == port and e["state"] == "live"]
    return live[0]["pid"] if live else None


def start_holder(code):
    """A python child that runs `code` (berth imported), prints a port and
    waits for stdin to close; returns (process, port)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import berth, sys\n" + code +
         "\nsys.stdout.flush(); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line, "the holder exited without a port"
    return proc, int(line)


def test_debian_python_loads_the_library():
    assert sys.executable == "/usr/bin/python3" or sys.executable.startswith(
        "/usr/bin/python3")
    assert berth.library_version() == berth.__version__
    assert os.path.exists(berth.library_path())


def test_acquire_holds_a_port_of_the_range_for_this_process():
    lease = berth.acquire("py-web")
    try:
        assert LO <= lease.port <= HI
        assert lease.held and lease.app == "py-web" and lease.reason
        assert holder_of(lease.port) == os.getpid()
        assert not other_process_gets(lease.port)
    finally:
        lease.release()
    assert not lease.held
    assert other_process_gets(lease.port)
    lease.release()  # a second release does nothing


def test_two_leases_never_share_a_port():
    a, b = berth.acquire("py-same"), berth.acquire("py-same")
    try:
        assert a.port != b.port
    finally:
        a.release()
        b.release()


def test_lease_context_manager_holds_inside_the_block():
    with berth.lease("py-block") as port:
        assert isinstance(port, int)
        assert holder_of(port) == os.getpid()
    assert other_process_gets(port)
    with berth.acquire("py-block") as lease:
        assert holder_of(lease.port) == os.getpid()
    assert not lease.held


def test_a_lease_no_one_refers_to_is_released():
    port = berth.acquire("py-garbage").port  # the Lease is garbage at once
    gc.collect()
    assert holder_of(port) is None
    assert other_process_gets(port)


def test_preferred_port():
    with berth.lease("py-pref") as port:
        pass
    with berth.acquire("py-pref", port=port) as lease:
        assert lease.port == port


def test_several_names_at_once():
    with berth.lease("py-a", "py-b", "py-c") as ports:
        assert len(set(ports)) == 3
        assert all(holder_of(p) == os.getpid() for p in ports)
    assert all(other_process_gets(p) for p in ports)
    leases = berth.acquire_group(["py-x", "py-y"])
    assert [x.app for x in leases] == ["py-x", "py-y"]
    for x in leases:
        x.release()


def test_a_group_gets_every_port_or_none():
    before = entries()
    with pytest.raises(berth.Error, match="^berth: .*no free port"):
        berth.acquire_group(["py-1", "py-2"], range=(HI, HI))
    assert entries() == before


def test_pick_unused_port_is_held_until_return_port():
    a, b = berth.pick_unused_port(), berth.pick_unused_port()
    assert a != b
    for port in (a, b):
        assert LO <= port <= HI
        assert holder_of(port) == os.getpid()
        assert not other_process_gets(port)
    berth.return_port(a)
    assert other_process_gets(a)
    assert not other_process_gets(b)
    berth.return_port(a)  # returned already: nothing happens
    berth.return_port(b)
    assert other_process_gets(b)


def test_return_port_leaves_other_ports_alone():
    proc, port = start_holder("l = berth.acquire('theirs'); print(l.port)")
    try:
        berth.return_port(port)
        assert holder_of(port) == proc.pid
    finally:
        proc.stdin.close()
        proc.wait()


def test_pick_unused_port_accepts_portpicker_arguments():
    port = berth.pick_unused_port(pid=os.getpid(),
                                  portserver_address="@unittest-portserver")
    assert holder_of(port) == os.getpid()
    berth.return_port(port)
    assert berth.PickUnusedPort is berth.pick_unused_port
    assert berth.ReturnPort is berth.return_port


def test_pick_unused_port_for_another_process():
    child = subprocess.Popen(["sleep", "60"])
    try:
        a = berth.pick_unused_port(pid=child.pid)
        b = berth.pick_unused_port(pid=child.pid)
        assert a != b, "each call its own port, also for the same pid"
        holder = holder_of(a)
        # A reservation for the child where berth allows one; else (in a
        # PID namespace of its own) a lease of this process.
        assert holder in (child.pid, os.getpid()), holder
        print("pick_unused_port(pid=child): held by %s" %
              ("the child" if holder == child.pid else "this process"))
        assert not other_process_gets(a)
        berth.return_port(a)
        assert other_process_gets(a)
        if holder == child.pid:
            child.kill()
            child.wait()
            assert other_process_gets(b), "the child is gone: so is its port"
        berth.return_port(b)
    finally:
        child.kill()
        child.wait()


def test_pick_unused_port_for_a_dead_process_is_bad_input():
    dead = subprocess.Popen(["true"])
    dead.wait()
    with pytest.raises(ValueError, match="^berth: .*not alive"):
        berth.pick_unused_port(pid=dead.pid)
    with pytest.raises(ValueError, match="^berth: pid must be a process ID"):
        berth.pick_unused_port(pid=-3)


def test_pick_unused_port_raises_no_free_port_found(monkeypatch):
    with berth.lease("py-full", range=(HI, HI)):
        monkeypatch.setenv("BERTH_RANGE", "%d-%d" % (HI, HI))
        with pytest.raises(berth.NoFreePortFoundError,
                           match="^berth: .*no free port"):
            berth.pick_unused_port()


def test_the_port_of_a_killed_holder_is_free_again():
    proc, port = start_holder("l = berth.acquire('py-killed'); print(l.port)")
    assert holder_of(port) == proc.pid
    assert not other_process_gets(port)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert other_process_gets(port)


def test_the_port_of_an_exited_holder_is_free_again():
    proc, port = start_holder("print(berth.pick_unused_port())")
    proc.stdin.close()
    assert proc.wait() == 0
    assert other_process_gets(port)


def test_a_forked_child_never_releases_its_parents_lease():
    lease = berth.acquire("py-fork")
    pid = os.fork()
    if pid == 0:  # the child drops its copy, explicitly and as garbage
        try:
            lease.release()
            del lease
            gc.collect()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    try:
        assert holder_of(lease.port) == os.getpid()
        assert not other_process_gets(lease.port)
    finally:
        lease.release()


def test_threads_never_share_a_port():
    ports, errors = [], []

    def take():
        try:
            ports.append(berth.acquire("py-thread"))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({x.port for x in ports}) == 8
    for x in ports:
        x.release()


@pytest.mark.parametrize("call, error, words", [
    (lambda: berth.acquire(""), ValueError, "^berth: .*empty"),
    (lambda: berth.acquire("a\x01b"), ValueError, "^berth: .*control"),
    (lambda: berth.acquire("a\x00b"), ValueError, "^berth: .*NUL"),
    (lambda: berth.acquire(7), TypeError, "^berth: an app name is a str"),
    (lambda: berth.acquire("x", range=(10, 5)), ValueError, "^berth: "),
    (lambda: berth.acquire("x", range="8800"), ValueError, r"^berth: range"),
    (lambda: berth.acquire("x", port=70000), ValueError, "^berth: port"),
    (lambda: berth.acquire("x", lock_timeout=-1), ValueError, "lock_timeout"),
    (lambda: berth.acquire("x", colour="red"), TypeError, "colour"),
    (lambda: berth.acquire_group("ab"), TypeError, "list of app names"),
    (lambda: berth.acquire_group(["a", "a"]), ValueError, "^berth: .*twice"),
    (lambda: berth.acquire_group([]), ValueError, "^berth: "),
    (lambda: berth.acquire_group(map(str, range(65))), ValueError,
     "^berth: .*64"),
])
def test_bad_input_is_one_clear_error(call, error, words):
    with pytest.raises(error, match=words) as raised:
        call()
    assert "\n" not in str(raised.value)


def test_a_missing_library_is_one_clear_error():
    env = dict(os.environ, BERTH_LIBRARY="/nonexistent/libberth.so.0")
    out = subprocess.run(
        [sys.executable, "-c", "import berth\nberth.acquire('x')"], env=env,
        stderr=subprocess.PIPE, text=True)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("berth.Error: berth: cannot load libberth.so"), last
    assert "BERTH_LIBRARY" in last


def test_the_library_next_to_the_package_comes_first(tmp_path):
    copy = tmp_path / "berth"
    shutil.copytree(PACKAGE, copy)
    shutil.copy(os.environ["BERTH_LIBRARY"], copy / "libberth.so.0")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    del env["BERTH_LIBRARY"]
    out = subprocess.run(
        [sys.executable, "-c", "import berth; print(berth.library_path())"],
        env=env, check=True, stdout=subprocess.PIPE, text=True)
    assert out.stdout.strip() == str(copy / "libberth.so.0")


def test_importing_berth_loads_no_library():
    out = subprocess.run(
        [sys.executable, "-c",
         "import berth, berth.pytest_plugin; print(berth._lib is None)"],
        env=dict(os.environ, BERTH_LIBRARY="/nonexistent"), check=True,
        stdout=subprocess.PIPE, text=True)
    assert out.stdout.strip() == "True"
