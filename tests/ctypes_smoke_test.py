#!/usr/bin/python3
# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""ctypes_smoke_test.py LIBBERTH_SO: libberth.so from Python via ctypes.

Run by Debian's /usr/bin/python3 (the shebang), standard library only. It
acquires a port, binds it to prove it usable, releases it, and checks that
bad input gives BERTH_EINVAL and a message. Prints "N passed, N failed";
writes one JUnit test case per check to $XML_OUTPUT_FILE when set.
"""
import ctypes
import os
import socket
import sys
import tempfile
from xml.sax.saxutils import quoteattr

BERTH_OK, BERTH_EFAIL, BERTH_EINVAL = 0, 1, 2
LO, HI = 20300, 20399  # away from the default and the ephemeral ranges


class berth_options(ctypes.Structure):
    # berth_options as berth.h 0.1 laid it out (it ends before 0.2's
    # `scope`), so struct_size is 0.1's: this is an older caller, which
    # libberth must still take. Declared here rather than taken from the
    # berth package (python/berth), so that this test checks libberth.so
    # alone, standard library only.
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("registry_dir", ctypes.c_char_p),
        ("port", ctypes.c_uint16),
        ("range_lo", ctypes.c_uint16),
        ("range_hi", ctypes.c_uint16),
        ("lock_timeout_ms", ctypes.c_int32),
    ]


def load(path):
    lib = ctypes.CDLL(path)
    lease_p = ctypes.c_void_p  # berth_lease* is opaque
    lib.berth_acquire.argtypes = [
        ctypes.c_char_p,
        ctypes.POINTER(berth_options),
        ctypes.POINTER(lease_p),
        ctypes.POINTER(ctypes.c_uint16),
    ]
    lib.berth_acquire.restype = ctypes.c_int
    lib.berth_lease_port.argtypes = [lease_p]
    lib.berth_lease_port.restype = ctypes.c_uint16
    lib.berth_lease_reason.argtypes = [lease_p]
    lib.berth_lease_reason.restype = ctypes.c_char_p
    lib.berth_release.argtypes = [lease_p]
    lib.berth_release.restype = ctypes.c_int
    lib.berth_last_error.argtypes = []
    lib.berth_last_error.restype = ctypes.c_char_p
    return lib


def main(path):
    results = []

    def check(name, ok):
        results.append((name, bool(ok)))
        if not ok:
            print(f"FAIL: {name}; berth_last_error: {last_error()!r}",
                  file=sys.stderr)

    lib = load(path)

    def last_error():
        return lib.berth_last_error().decode()

    tmp = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    opts = berth_options(
        struct_size=ctypes.sizeof(berth_options),
        registry_dir=os.path.join(tmp, "reg").encode(),
        range_lo=LO,
        range_hi=HI,
    )

    lease = ctypes.c_void_p()
    port = ctypes.c_uint16()
    rc = lib.berth_acquire(b"py", ctypes.byref(opts), ctypes.byref(lease),
                           ctypes.byref(port))
    check("acquire returns BERTH_OK", rc == BERTH_OK)
    check("acquire gives a lease", lease.value is not None)
    check("the port is in the range", LO <= port.value <= HI)
    check("berth_lease_port agrees", lib.berth_lease_port(lease) == port.value)
    check("the lease has a reason", len(lib.berth_lease_reason(lease)) > 0)
    check("success leaves the error empty", last_error() == "")

    # The port is usable: a server can listen on it. (SO_REUSEADDR as
    # servers set it: berth may hand out a port in TIME_WAIT.)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port.value))
            s.listen()
        bound = True
    except OSError as e:
        print(f"bind 127.0.0.1:{port.value}: {e}", file=sys.stderr)
        bound = False
    check("a socket binds the port on 127.0.0.1", bound)

    check("release returns BERTH_OK", lib.berth_release(lease) == BERTH_OK)
    check("release of NULL is BERTH_OK", lib.berth_release(None) == BERTH_OK)

    # Released: the same port, asked for, is given again.
    opts.port = port.value
    again = ctypes.c_void_p()
    again_port = ctypes.c_uint16()
    rc = lib.berth_acquire(b"py", ctypes.byref(opts), ctypes.byref(again),
                           ctypes.byref(again_port))
    check("the released port can be had again",
          rc == BERTH_OK and again_port.value == port.value)
    lib.berth_release(again)
    opts.port = 0

    # Bad input.
    bad = ctypes.c_void_p()
    for app, words in ((None, "app is NULL"), (b"", "empty"),
                       (b"a\x01b", "control character")):
        rc = lib.berth_acquire(app, ctypes.byref(opts), ctypes.byref(bad),
                               None)
        check(f"app {app!r} is BERTH_EINVAL", rc == BERTH_EINVAL)
        check(f"app {app!r}: the error says {words!r}", words in last_error())
        check(f"app {app!r}: no lease", bad.value is None)
    rc = lib.berth_acquire(b"py", berth_options(), ctypes.byref(bad), None)
    check("a zeroed struct_size is BERTH_EINVAL", rc == BERTH_EINVAL)
    check("a zeroed struct_size: the error says so",
          "struct_size" in last_error())

    passed = sum(ok for _, ok in results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    xml = os.environ.get("XML_OUTPUT_FILE")
    if xml:
        with open(xml, "w") as f:
            f.write(f'<testsuites><testsuite name="ctypes_smoke_test" '
                    f'tests="{len(results)}" failures="{failed}">\n')
            for name, ok in results:
                f.write(f"<testcase name={quoteattr(name)}"
                        + ("/>\n" if ok else "><failure/></testcase>\n"))
            f.write("</testsuite></testsuites>\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[0])
    sys.exit(main(sys.argv[1]))
