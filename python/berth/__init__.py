# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""berth: a TCP port for every local server, from one per-user registry.

Pure Python over libberth.so (ctypes): no build step, no daemon. A port is
held by this process through a kernel lease lock, so it is free again the
moment the process dies, however it dies, and no other process using berth
(from C, C++, Python, Node or the shell) is given it meanwhile.

    import berth

    with berth.lease("web") as port:        # held inside the block
        serve(port)

    web = berth.acquire("web")              # held until web.release(), or
    serve(web.port)                         # until no one refers to `web`

    port = berth.pick_unused_port()         # portpicker's API: held until
    berth.return_port(port)                 # return_port or process exit

Options, all keyword-only and optional, as in the C ABI (berth.h): `port`
(asked for first), `range` ((lo, hi), default $BERTH_RANGE or 8800-8999),
`registry` (a directory, default $BERTH_HOME or the per-user one),
`lock_timeout` (seconds), `scope` (see the berth README).

libberth.so is looked for in $BERTH_LIBRARY, then next to this package (in
it, then in the lib/ directory of an installed prefix), then by the
dynamic loader's usual paths; it is loaded on first use, so importing berth
never fails for want of it.
"""

import contextlib
import ctypes
import os
import threading

__version__ = "0.2.0"
__all__ = [
    "Error",
    "Lease",
    "NoFreePortFoundError",
    "acquire",
    "acquire_group",
    "lease",
    "library_path",
    "library_version",
    "pick_unused_port",
    "return_port",
]

_OK, _EFAIL, _EINVAL = 0, 1, 2


class Error(OSError):
    """berth could not do it: no free port, the registry stayed locked, I/O.

    Bad input (an empty app name, a bad range) raises ValueError instead.
    """


class NoFreePortFoundError(Error):
    """pick_unused_port found no port (portpicker's name for it)."""


class _Options(ctypes.Structure):
    # berth_options of berth.h 0.2, field for field.
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("registry_dir", ctypes.c_char_p),
        ("port", ctypes.c_uint16),
        ("range_lo", ctypes.c_uint16),
        ("range_hi", ctypes.c_uint16),
        ("lock_timeout_ms", ctypes.c_int32),
        ("scope", ctypes.c_char_p),
    ]


_lib = None
_lib_path = None
_lib_lock = threading.Lock()
_release_lock = threading.Lock()


def _candidates():
    """Yields the names to try, best first."""
    explicit = os.environ.get("BERTH_LIBRARY")
    if explicit:
        yield explicit  # asked for: no other one will do
        return
    here = os.path.dirname(os.path.abspath(__file__))
    # PREFIX/lib/python3/dist-packages/berth -> PREFIX/lib
    lib = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    yield os.path.join(here, "libberth.so.0")
    yield os.path.join(here, "libberth.so")
    yield os.path.join(lib, "libberth.so.0")
    yield "libberth.so.0"  # the loader's paths: LD_LIBRARY_PATH, ld.so.cache
    # Last, as it is slow (it runs ldconfig or a compiler): other names.
    import ctypes.util  # pylint: disable=import-outside-toplevel
    found = ctypes.util.find_library("berth")
    if found:
        yield found


def _load():
    """Returns libberth, loading it on first use."""
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        errors = []
        for name in _candidates():
            if os.sep in name and not os.path.exists(name):
                errors.append(name + ": no such file")
                continue
            try:
                lib = ctypes.CDLL(name)
            except OSError as e:
                errors.append(str(e))
                continue
            _declare(lib)
            _lib_path = name
            _lib = lib
            return lib
        raise Error(
            "berth: cannot load libberth.so (tried %s); install berth "
            "(./bazelw run //:install -- PREFIX) or point BERTH_LIBRARY at it"
            % "; ".join(errors))


def _declare(lib):
    lease_p = ctypes.c_void_p  # berth_lease* is opaque
    opts_p = ctypes.POINTER(_Options)
    port_p = ctypes.POINTER(ctypes.c_uint16)
    sigs = {
        "berth_acquire": ([ctypes.c_char_p, opts_p,
                           ctypes.POINTER(lease_p), port_p], ctypes.c_int),
        "berth_acquire_group": ([ctypes.POINTER(ctypes.c_char_p),
                                 ctypes.c_size_t, opts_p,
                                 ctypes.POINTER(lease_p), port_p],
                                ctypes.c_int),
        "berth_reserve": ([ctypes.c_char_p, ctypes.c_int64, opts_p, port_p],
                          ctypes.c_int),
        "berth_release_port": ([ctypes.c_uint16, opts_p], ctypes.c_int),
        "berth_release": ([lease_p], ctypes.c_int),
        "berth_lease_reason": ([lease_p], ctypes.c_char_p),
        "berth_last_error": ([], ctypes.c_char_p),
        "berth_version": ([], ctypes.c_char_p),
    }
    for name, (args, res) in sigs.items():
        f = getattr(lib, name)
        f.argtypes = args
        f.restype = res


def _check(lib, rc, error=Error):
    if rc == _OK:
        return
    message = lib.berth_last_error().decode("utf-8", "replace")
    if rc == _EINVAL:
        raise ValueError("berth: " + message)
    raise error("berth: " + message)


def _options(port=None, range=None, registry=None, lock_timeout=None,
             scope=None):
    opts = _Options(struct_size=ctypes.sizeof(_Options))
    if port is not None:
        opts.port = _port_number(port, "port")
    if range is not None:
        try:
            lo, hi = range
        except (TypeError, ValueError):
            raise ValueError("berth: range must be (lo, hi), not %r"
                             % (range,)) from None
        opts.range_lo = _port_number(lo, "range")
        opts.range_hi = _port_number(hi, "range")
    if registry is not None:
        opts.registry_dir = os.fsencode(registry)
    if lock_timeout is not None:
        if not isinstance(lock_timeout, (int, float)) or lock_timeout <= 0:
            raise ValueError("berth: lock_timeout must be a positive number "
                             "of seconds, not %r" % (lock_timeout,))
        opts.lock_timeout_ms = max(1, min(int(lock_timeout * 1000), 2**31 - 1))
    if scope is not None:
        opts.scope = os.fsencode(scope)
    return opts


def _port_number(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or \
            not 1 <= value <= 65535:
        raise ValueError("berth: %s must hold port numbers 1-65535, not %r"
                         % (what, value))
    return value


def _app_name(app):
    if not isinstance(app, str):
        raise TypeError("berth: an app name is a str, not %s"
                        % type(app).__name__)
    if "\0" in app:  # C would see only the part before it
        raise ValueError("berth: the app name %r has a NUL character" % app)
    return app.encode("utf-8")


class Lease:
    """A port held by this process until release(), or until the Lease is
    garbage (like a file), or until the process ends.

    A context manager: `with berth.acquire("web") as web: serve(web.port)`.
    A forked child that inherits a Lease never releases it: the parent's
    port stays the parent's.
    """

    __slots__ = ("port", "app", "reason", "_handle", "_pid", "__weakref__")

    def __init__(self, app, port, handle, reason):
        self.app = app
        self.port = port
        self.reason = reason
        self._handle = handle
        self._pid = os.getpid()

    @property
    def held(self):
        """True until release()."""
        return self._handle is not None

    def release(self):
        """Gives the port back now. Later calls do nothing."""
        with _release_lock:  # two threads must not free one lease twice
            handle, self._handle = self._handle, None
        if handle is None or os.getpid() != self._pid:
            return
        lib = _load()
        _check(lib, lib.berth_release(handle))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - nothing can be raised from here
            pass

    def __repr__(self):
        return "<berth.Lease %s port=%d%s>" % (
            self.app, self.port, "" if self.held else " released")


def _lease_from(lib, app, handle, port):
    reason = lib.berth_lease_reason(handle).decode("utf-8", "replace")
    return Lease(app, port, handle, reason)


def acquire(app, **options):
    """Returns a Lease on a port for `app`, held by this process.

    Raises ValueError for bad input, berth.Error when no port can be had.
    """
    name = _app_name(app)
    opts = _options(**options)
    lib = _load()
    handle = ctypes.c_void_p()
    port = ctypes.c_uint16()
    _check(lib, lib.berth_acquire(name, ctypes.byref(opts),
                                  ctypes.byref(handle), ctypes.byref(port)))
    return _lease_from(lib, app, handle.value, port.value)


def acquire_group(apps, **options):
    """Returns one Lease per name in `apps` (1 to 64 distinct names), taken
    in one step: every app gets a port or none does. `port`, if given, is
    asked for the first app."""
    if isinstance(apps, str):
        raise TypeError("berth: acquire_group takes a list of app names, "
                        "not one str")
    apps = list(apps)
    # berth.h asks for 1 to 64 distinct names.
    if len(apps) > 64:
        raise ValueError("berth: acquire_group takes at most 64 app names, "
                         "not %d" % len(apps))
    twice = sorted({a for a in apps if apps.count(a) > 1})
    if twice:
        raise ValueError("berth: acquire_group: app %r is named twice"
                         % twice[0])
    names = (ctypes.c_char_p * max(1, len(apps)))(*map(_app_name, apps))
    opts = _options(**options)
    lib = _load()
    handles = (ctypes.c_void_p * max(1, len(apps)))()
    ports = (ctypes.c_uint16 * max(1, len(apps)))()
    _check(lib, lib.berth_acquire_group(names, len(apps), ctypes.byref(opts),
                                        handles, ports))
    return [_lease_from(lib, app, handles[i], ports[i])
            for i, app in enumerate(apps)]


@contextlib.contextmanager
def lease(*apps, **options):
    """`with berth.lease("web") as port:` holds a port inside the block;
    with several names, `as (web, api):` gets one port each, taken at once.
    """
    if not apps:
        raise TypeError("berth.lease needs at least one app name")
    if len(apps) == 1:
        with acquire(apps[0], **options) as held:
            yield held.port
        return
    leases = acquire_group(apps, **options)
    try:
        yield tuple(held.port for held in leases)
    finally:
        for held in leases:
            held.release()


# --- portpicker's API --------------------------------------------------------

# Ports pick_unused_port handed out: port -> Lease held by this process, or
# None for a reservation made for another process.
_picked = {}
_picked_lock = threading.Lock()
_reservations = 0  # how many reservations pick_unused_port made


def pick_unused_port(pid=None, portserver_address=None):
    """Returns a free port, held for this process until return_port(port)
    or until the process exits (portpicker's API; app name "python").

    `pid`, a process other than this one, gets a reservation by PID
    identity instead (as `berth get --owner PID` makes): it lasts as long
    as that process. Where berth refuses reservations (inside a PID
    namespace of its own: containers, bazel test) the port is held by this
    process instead, which usually outlives the child it starts.
    `portserver_address` is accepted and not used: berth needs no server.
    Raises NoFreePortFoundError when the range has no free port.
    """
    del portserver_address  # berth is the coordination; nothing to ask
    if pid is not None and (isinstance(pid, bool) or not isinstance(pid, int)
                            or pid <= 0):
        raise ValueError("berth: pid must be a process ID, not %r" % (pid,))
    lib = _load()
    if pid is not None and pid != os.getpid():
        global _reservations
        with _picked_lock:
            _reservations += 1
            # A name per call: the same owner asking again for the same app
            # would be given the same port.
            app = b"python-%d" % _reservations
        port = ctypes.c_uint16()
        opts = _options()
        rc = lib.berth_reserve(app, pid, ctypes.byref(opts),
                               ctypes.byref(port))
        if rc == _EINVAL:  # e.g. no such process
            _check(lib, rc)
        if rc == _OK:
            with _picked_lock:
                _picked[port.value] = None
            return port.value
        # Refused (or no port): a lease held by this process, below.
    try:
        held = acquire("python")
    except Error as e:
        raise NoFreePortFoundError(*e.args) from None
    with _picked_lock:
        _picked[held.port] = held
    return held.port


def return_port(port):
    """Gives back a port pick_unused_port returned. Any other port is left
    alone (as portpicker does)."""
    with _picked_lock:
        if port not in _picked:
            return
        held = _picked.pop(port)
    if held is not None:
        held.release()
        return
    lib = _load()
    opts = _options()
    lib.berth_release_port(port, ctypes.byref(opts))  # gone already: fine


# portpicker's older names.
PickUnusedPort = pick_unused_port
ReturnPort = return_port


def library_version():
    """The version of the libberth.so in use, e.g. "0.2.0"."""
    return _load().berth_version().decode()


def library_path():
    """Where the libberth.so in use was found (loading it if need be)."""
    _load()
    return _lib_path
