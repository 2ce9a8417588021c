// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/lease.h: get a TCP port for a local server, in one call.
//
//   absl::StatusOr<berth::Lease> lease = berth::Acquire("web");
//   if (!lease.ok()) return lease.status();
//   StartServer(lease->port());   // the port is yours until `lease` dies
//
// The port is one no live process holds and nothing listens on (IPv4 or
// IPv6). The Lease records the calling process in the per-user registry
// and holds a kernel lock on the port's lease file for as long as it lives:
// if the process dies, however it dies, the OS drops the lock and the next
// allocation anywhere can hand the port out again. On Linux the lock also
// outlasts any closing of descriptors by the process (a library that
// "closes all files" cannot drop it). Destroying or Release()ing the Lease
// gives the port back at once. A forked child never gives back its
// parent's port: in a child, Release only lets go of the child's copy.
//
// No thread, timer or daemon is started: all the work happens inside these
// calls, which may be made from several threads at once. Two Acquire calls
// never return the same port while both Leases live, in this process or
// any other, in any PID namespace, from any language.
//
// The admin calls (reserve for another process, list, release, prune) are
// in api/admin.h.

#ifndef BERTH_API_LEASE_H_
#define BERTH_API_LEASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/options.h"

namespace berth {

// Lease holds a port until destroyed or released. Move-only.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  // 0 once released.
  uint16_t port() const;
  const std::string& app() const;
  // How the port was chosen, for people.
  const std::string& reason() const;

  // Release gives the port back now: clears the registry record and drops
  // the lease lock. Later calls do nothing.
  absl::Status Release();

  // InheritAcrossExec makes the lease lock survive exec(), so a program
  // that replaces this process keeps the port for as long as it lives.
  // Since such a program may close the descriptors it inherits, the
  // registry then also vouches for the port by this process's PID and start
  // time. Returns the lock's descriptor (POSIX) or handle (Windows).
  absl::StatusOr<intptr_t> InheritAcrossExec();

  // InheritByChildren makes the lease lock inherited by child processes
  // this process starts, which then keep the port taken while they run,
  // even after this process ends. Returns the descriptor or handle.
  absl::StatusOr<intptr_t> InheritByChildren();

 private:
  struct State;
  explicit Lease(std::unique_ptr<State> state);
  friend absl::StatusOr<std::vector<Lease>> AcquireGroup(
      const std::vector<std::string>& apps, const Options& options);

  std::unique_ptr<State> state_;
};

// Acquire gets a port for `app` held by the calling process.
// InvalidArgument for a bad app name or option; ResourceExhausted when no
// port of the range is free (the message says what holds them).
absl::StatusOr<Lease> Acquire(absl::string_view app,
                              const Options& options = {});

// AcquireGroup gets one port for each of `apps` (1 to 64 distinct names),
// all or none: when it fails, nothing stays held. `options.port`, if set,
// is asked for the first app.
absl::StatusOr<std::vector<Lease>> AcquireGroup(
    const std::vector<std::string>& apps, const Options& options = {});

}  // namespace berth

#endif  // BERTH_API_LEASE_H_
