# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""berth.pytest_plugin: the berth_port and berth_lease fixtures, loaded by
`-p` and by a conftest's pytest_plugins, held by the pytest process during
the test and given back after it. (The pytest11 entry point is checked on
an installed berth by install/install_test.sh.) Run by python/run_pytest.sh.
"""

import json
import os

from berth_testlib import other_process_gets

INNER = """
import json, os, subprocess

def holder(port):
    out = subprocess.run([os.environ["BERTH_BIN"], "list", "--json"],
                         check=True, stdout=subprocess.PIPE, text=True)
    return [e["pid"] for e in json.loads(out.stdout)
            if e["port"] == port and e["state"] == "live"]

def record(**seen):
    with open(os.environ["SEEN"], "a") as f:
        f.write(json.dumps(seen) + "\\n")

def test_port(berth_port):
    assert holder(berth_port) == [os.getpid()]
    record(port=berth_port)

def test_leases(berth_lease):
    web, api = berth_lease("web"), berth_lease("api", port=None)
    assert web.port != api.port
    assert web.app == "web" and holder(api.port) == [os.getpid()]
    record(port=web.port)
    record(port=api.port)
"""


def run_inner(pytester, monkeypatch, *args):
    seen = pytester.path / "seen.jsonl"
    monkeypatch.setenv("SEEN", str(seen))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    lines = seen.read_text().splitlines() if seen.exists() else []
    return result, [json.loads(line)["port"] for line in lines]


def test_fixtures_with_dash_p(pytester, monkeypatch):
    pytester.makepyfile(test_inner=INNER)
    result, ports = run_inner(pytester, monkeypatch, "-p",
                              "berth.pytest_plugin")
    result.assert_outcomes(passed=2)
    assert len(ports) == 3
    for port in ports:  # given back when each test ended
        assert other_process_gets(port), port


def test_fixtures_with_pytest_plugins_in_conftest(pytester, monkeypatch):
    pytester.makeconftest('pytest_plugins = ["berth.pytest_plugin"]\n')
    pytester.makepyfile(test_inner=INNER)
    result, ports = run_inner(pytester, monkeypatch)
    result.assert_outcomes(passed=2)
    assert len(ports) == 3


def test_without_the_plugin_the_fixtures_are_unknown(pytester, monkeypatch):
    # So the tests above really depend on loading it.
    pytester.makepyfile(test_inner=INNER)
    result, _ = run_inner(pytester, monkeypatch)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*fixture 'berth_port' not found*"])


def test_the_port_is_held_only_during_the_test(pytester, monkeypatch):
    pytester.makepyfile(test_inner="""
import os, subprocess, sys

def test_held(berth_port):
    code = "import berth; berth.acquire('x', range=(%d, %d))" % (
        berth_port, berth_port)
    out = subprocess.run([sys.executable, "-c", code])
    assert out.returncode != 0, "another process got the test's port"
    with open(os.environ["SEEN"], "a") as f:
        f.write('{"port": %d}\\n' % berth_port)
""")
    result, ports = run_inner(pytester, monkeypatch, "-p",
                              "berth.pytest_plugin")
    result.assert_outcomes(passed=1)
    assert other_process_gets(ports[0])
    assert os.environ["BERTH_HOME"]  # the inner run shared our registry
