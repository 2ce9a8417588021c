// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/lease.h: get a TCP port for a local server, in one call.
//
//   absl::StatusOr<berth::Lease> lease = berth::Acquire("web");
//   if (!lease.ok()) return lease.status();
//   StartServer(lease->port());   // the port is yours until `lease` dies
//
// The port is one no live process of this user holds (per the registry) and
// nothing listens on (IPv4 or IPv6 loopback). The Lease records the calling
// process in the per-user registry and holds a kernel lock on the port's
// lease file: if the process dies, however it dies, the OS drops the lock
// and the next allocation anywhere hands the port out again. Destroying or
// Release()ing the Lease gives the port back at once.
//
// No thread, timer or daemon is started: all the work happens inside these
// calls. They are safe to call from several threads at once (the registry's
// file lock orders them); two Acquire calls never return the same port
// while both Leases live.

#ifndef BERTH_API_LEASE_H_
#define BERTH_API_LEASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/file.h"
#include "platform/process.h"
#include "registry/registry.h"

namespace berth {

struct PortRange {
  uint16_t lo = 8800;
  uint16_t hi = 8999;
};

// Options for every call. Unset fields come from the environment, then the
// defaults: registry directory $BERTH_HOME or the per-user state directory;
// range $BERTH_RANGE ("LO-HI") or 8800-8999; lock timeout
// $BERTH_LOCK_TIMEOUT (seconds) or 5 s.
struct Options {
  std::optional<std::string> registry_dir;
  std::optional<uint16_t> port;  // ask for this port first
  std::optional<PortRange> range;
  std::optional<absl::Duration> lock_timeout;
  // The scope the app name lives in (see the README, "Scope"): unset means
  // $BERTH_SCOPE, else the git work tree of the current directory, else
  // global; "" or "none" is global; otherwise an absolute directory.
  std::optional<std::string> scope;
};

// Lease holds a port until destroyed or released. Move-only.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other);
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  uint16_t port() const { return port_; }
  const std::string& app() const { return app_; }
  // reason says how the port was chosen, for people.
  const std::string& reason() const { return reason_; }

  // Release gives the port back now: drops the registry entry and the lease
  // lock. Later calls do nothing.
  absl::Status Release();

  // InheritAcrossExec makes the lease lock survive exec(), so a program
  // that replaces this process keeps the port for as long as it lives.
  // Returns the lock's descriptor (POSIX) or handle (Windows).
  absl::StatusOr<intptr_t> InheritAcrossExec();

 private:
  friend absl::StatusOr<Lease> Acquire(absl::string_view, const Options&);
  Lease() = default;

  std::string app_;
  uint16_t port_ = 0;
  std::string reason_;
  platform::ProcessIdentity owner_;
  registry::Options registry_options_;
  platform::FileLock lock_;
};

// Acquire gets a port for `app` held by the calling process.
// InvalidArgument for a bad app name or option; ResourceExhausted when no
// port of the range is free; DeadlineExceeded when the registry stays
// locked past the timeout.
absl::StatusOr<Lease> Acquire(absl::string_view app,
                              const Options& options = {});

// AcquireGroup gets one port for each of `apps` (distinct names), all or
// none: when it fails, nothing stays held. `options.port`, if set, is asked
// for the first app.
absl::StatusOr<std::vector<Lease>> AcquireGroup(
    const std::vector<std::string>& apps, const Options& options = {});

// Reservation is a port recorded for an owner without a lease: it lives
// as long as the owner's PID and start token.
struct Reservation {
  uint16_t port = 0;
  std::string reason;
  bool existing = false;  // the owner already had it
  registry::Entry entry;
};

// Reserve records a port for `app` held by process `owner_pid` (which must
// be alive): what `berth get` does for a shell. The same owner asking again
// for the same app gets the same port.
absl::StatusOr<Reservation> Reserve(absl::string_view app, int64_t owner_pid,
                                    const Options& options = {});

// ReleaseApp / ReleasePort drop the matching entries, whoever holds them,
// and return how many.
absl::StatusOr<int> ReleaseApp(absl::string_view app,
                               const Options& options = {});
absl::StatusOr<int> ReleasePort(uint16_t port, const Options& options = {});

// List returns every entry with its state now; it changes nothing.
absl::StatusOr<std::vector<registry::Entry>> List(const Options& options = {});

// Prune drops the stale entries and returns how many.
absl::StatusOr<int> Prune(const Options& options = {});

// ValidateAppName accepts 1-200 bytes without control characters.
absl::Status ValidateAppName(absl::string_view app);

// ParseRange parses "LO-HI" (1 <= LO <= HI <= 65535).
absl::StatusOr<PortRange> ParseRange(absl::string_view text);

}  // namespace berth

#endif  // BERTH_API_LEASE_H_
