/* Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
 *
 * api/berth.h: the C ABI of berth, for C and any language with a C FFI
 * (Go's cgo, Python's ctypes, Rust, ...). Plain C99; also compiles as C++.
 *
 *   berth_lease* lease;
 *   uint16_t port;
 *   if (berth_acquire("web", NULL, &lease, &port) != BERTH_OK) {
 *     fprintf(stderr, "berth: %s\n", berth_last_error());
 *     return 1;
 *   }
 *   start_server(port);      // the port is yours until berth_release
 *   ...
 *   berth_release(lease);
 *
 * The same API as api/lease.h: the port is one no live process of this user
 * holds (per the per-user registry) and nothing listens on (IPv4 or IPv6
 * loopback). The lease records the calling process in the registry and holds
 * a kernel lock on the port's lease file, so if the process dies, however it
 * dies, the port is handed out again. berth_release gives it back at once.
 *
 * No thread, timer or daemon is started. The functions may be called from
 * several threads at once; a lease must not be released by one thread while
 * another still uses it. No C++ exception crosses this interface: every
 * failure is a return code and a message from berth_last_error().
 *
 * Bazel: deps = ["@berth//api:c_api"] to link statically, or link the shared
 * library @berth//api:libberth.so (which exports the berth_* symbols only).
 */

#ifndef BERTH_API_BERTH_H_
#define BERTH_API_BERTH_H_

#include <stddef.h>
#include <stdint.h>

/* BERTH_EXPORT marks the functions of the shared library. On Windows define
 * BERTH_DLL when using berth as a DLL (berth defines BERTH_BUILDING itself);
 * leave it undefined when linking berth statically. */
#if defined(_WIN32)
#if defined(BERTH_BUILDING)
#define BERTH_EXPORT __declspec(dllexport)
#elif defined(BERTH_DLL)
#define BERTH_EXPORT __declspec(dllimport)
#else
#define BERTH_EXPORT
#endif
#elif defined(__GNUC__)
#define BERTH_EXPORT __attribute__((visibility("default")))
#else
#define BERTH_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes, the same as the berth command's exit statuses:
 * BERTH_OK on success; BERTH_EFAIL for a runtime failure (no free port in
 * the range, the registry stayed locked past the timeout, I/O); BERTH_EINVAL
 * for bad input (a NULL pointer, a bad app name, bad options). */
#define BERTH_OK 0
#define BERTH_EFAIL 1
#define BERTH_EINVAL 2

/* berth_options: optional settings for berth_acquire. Start from
 * BERTH_OPTIONS_INIT (or zero the struct and set struct_size) and set only
 * the fields you need; zero means "the default" in every field but
 * struct_size. Defaults come from the environment first ($BERTH_HOME,
 * $BERTH_RANGE, $BERTH_LOCK_TIMEOUT), then built-in values. */
typedef struct berth_options {
  /* sizeof(berth_options) as the caller compiled it, so later versions can
   * add fields at the end and still read older callers' structs. A size
   * this library does not know is BERTH_EINVAL. */
  size_t struct_size;
  /* The registry directory; NULL: $BERTH_HOME, else the per-user state
   * directory. */
  const char* registry_dir;
  /* A port to ask for first; 0: none. When it is taken another is given. */
  uint16_t port;
  /* The range to choose from, both ends included; both 0: $BERTH_RANGE,
   * else 8800-8999. Otherwise 1 <= range_lo <= range_hi. */
  uint16_t range_lo;
  uint16_t range_hi;
  /* How long to wait for the registry lock, in milliseconds; 0:
   * $BERTH_LOCK_TIMEOUT, else 5000. Negative is BERTH_EINVAL. (Zero is the
   * default, not "do not wait", so that a zeroed struct from Go or Python
   * means all defaults.) */
  int32_t lock_timeout_ms;
  /* The scope the app name lives in: the same app in two scopes is two
   * apps, each with its own remembered port. NULL: $BERTH_SCOPE, else the
   * git work tree the current directory is in, else the global scope; ""
   * or "none": the global scope; otherwise an absolute directory. (Added in
   * 0.2: callers built against an older berth.h pass a smaller struct_size
   * and get the default.) */
  const char* scope;
} berth_options;

#define BERTH_OPTIONS_INIT \
  { sizeof(berth_options), NULL, 0, 0, 0, 0, NULL }

/* BERTH_VERSION is the version of this header; berth_version() says which
 * library was loaded. */
#define BERTH_VERSION "0.2.0"

/* berth_lease: a held port, from berth_acquire until berth_release. */
typedef struct berth_lease berth_lease;

/* berth_acquire gets a port for `app` (1-200 bytes, no control
 * characters), held by the calling process. `options` may be
 * NULL for all defaults. On success returns BERTH_OK, stores a new lease in
 * *lease_out and its port in *port_out (port_out may be NULL). On failure
 * returns BERTH_EFAIL or BERTH_EINVAL, stores NULL and 0, and
 * berth_last_error() says why. Two live leases never share a port, even
 * for the same app. */
BERTH_EXPORT int berth_acquire(const char* app, const berth_options* options,
                               berth_lease** lease_out, uint16_t* port_out);

/* berth_acquire_group gets one port for each of the `count` apps in
 * `apps` (1 to 64 distinct names), all in one step: either every app gets
 * a port, or none does and nothing stays held. On success stores `count`
 * leases in leases_out[0..count-1] (each released on its own with
 * berth_release) and their ports in ports_out[0..count-1] (ports_out may
 * be NULL). options->port, if set, is asked for the first app. On failure
 * stores NULLs and zeros. */
BERTH_EXPORT int berth_acquire_group(const char* const* apps, size_t count,
                                     const berth_options* options,
                                     berth_lease** leases_out,
                                     uint16_t* ports_out);

/* berth_reserve records a port for `app` held by the live process
 * `owner_pid` without a lease lock: the entry lasts as long as that process
 * (PID plus start time), which is what `berth get --owner PID` does. The
 * same owner asking again for the same app gets the same port. Refused
 * (BERTH_EFAIL) where other callers could not check the owner: inside a
 * PID namespace of its own (containers, bazel test); use berth_acquire
 * there. */
BERTH_EXPORT int berth_reserve(const char* app, int64_t owner_pid,
                               const berth_options* options,
                               uint16_t* port_out);

/* berth_release_port drops the reservation of `port` (see berth_reserve),
 * whoever made it. BERTH_EFAIL when there is none. */
BERTH_EXPORT int berth_release_port(uint16_t port,
                                    const berth_options* options);

/* berth_version returns the library's version, e.g. "0.2.0". */
BERTH_EXPORT const char* berth_version(void);

/* berth_lease_port returns the lease's port; 0 for NULL. */
BERTH_EXPORT uint16_t berth_lease_port(const berth_lease* lease);

/* berth_lease_reason returns how the port was chosen, for people (e.g.
 * "took 8801, the wanted port"); "" for NULL. Valid until the lease is
 * released. */
BERTH_EXPORT const char* berth_lease_reason(const berth_lease* lease);

/* berth_lease_inherit makes the lease's lock survive exec(), so a program
 * that replaces this process keeps the port for as long as it lives. Stores
 * the lock's file descriptor (POSIX) or HANDLE (Windows) in *handle_out when
 * handle_out is not NULL. Returns BERTH_OK, or an error code. */
BERTH_EXPORT int berth_lease_inherit(berth_lease* lease, intptr_t* handle_out);

/* berth_release gives the port back (drops the registry entry and the lease
 * lock) and frees the lease, which must not be used again. NULL is a no-op
 * returning BERTH_OK. Returns BERTH_EFAIL when the registry could not be
 * updated; the lease lock is dropped and the lease freed even then, so the
 * entry is stale for everyone else. */
BERTH_EXPORT int berth_release(berth_lease* lease);

/* berth_last_error returns why the last berth_acquire,
 * berth_lease_inherit or berth_release called on this thread failed: one
 * line, no "berth:" prefix, "" when that call succeeded or none was made.
 * The text is the library's, valid until the next such call on this
 * thread; never NULL. */
BERTH_EXPORT const char* berth_last_error(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BERTH_API_BERTH_H_ */
