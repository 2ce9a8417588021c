# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""berth's pytest plugin: ports for tests, safe across processes.

Loaded by its pytest11 entry point when berth is installed, or by
`pytest_plugins = ["berth.pytest_plugin"]` in a conftest.py, or by
`pytest -p berth.pytest_plugin`.

    def test_server(berth_port):           # a port held for this test
        server = start_server(port=berth_port)

    def test_stack(berth_lease):           # several, each named
        web, api = berth_lease("web"), berth_lease("api")
        start(web.port, api.port)

The ports are held by the pytest process through berth's kernel lease,
so parallel runs (pytest-xdist workers, other suites, servers started by
hand) are never given the same port, and a killed run frees its ports.
Loading the plugin costs nothing until a fixture is used.
"""

import pytest

import berth


@pytest.fixture
def berth_port():
    """A TCP port held for the duration of the test (app name "pytest")."""
    with berth.lease("pytest") as port:
        yield port


@pytest.fixture
def berth_lease():
    """A function app -> berth.Lease (berth.acquire's options allowed);
    every Lease it gave is released when the test ends."""
    leases = []

    def take(app="pytest", **options):
        held = berth.acquire(app, **options)
        leases.append(held)
        return held

    yield take
    for held in leases:
        held.release()
