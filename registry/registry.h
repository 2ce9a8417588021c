// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// registry/registry.h: the one place that touches the registry files.
//
// Each port's lease file, leases/PORT.lock, is both its lock and its
// record. To take a port, a caller locks that file without waiting (a held
// lock means taken: move on), reads the record of the previous holder and
// judges it (registry/verdict.h), probes the port, and writes itself in. A
// holder that keeps the port (an embedding process, `berth run`'s server)
// keeps the lock for as long as it lives; a reservation for another process
// (`berth get`) writes the record and lets the lock go, and lasts as long as
// that process. No global lock is on this path: allocations of different
// ports never wait for each other, and each costs a few system calls per
// port it looks at, whatever the number of entries.
//
// Only the app -> port memory (`registry`, see codec.h) is shared; it is
// read on every allocation and written only when an app gets a port it has
// not had before, under `registry.lock` (a lock a forked child never
// holds), without fsync: losing it costs stickiness once. Leases need no
// durability at all: a reboot voids them (the boot id changes).
//
// Files in the registry directory: `leases/PORT.lock` (never unlinked: a
// lock on an unlinked file excludes nobody), `registry`, `registry.lock`,
// and backups of files that did not decode, named NAME.corrupt-TIME-PID-N
// (never overwriting one another). A writer killed halfway through
// replacing `registry` leaves `.registry.tmp-PID-HEX`; the next writer
// removes it once PID is dead.
//
// Nothing runs between calls: no thread, no timer, no daemon.

#ifndef BERTH_REGISTRY_REGISTRY_H_
#define BERTH_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "allocator/allocator.h"
#include "platform/file.h"
#include "platform/port.h"
#include "platform/process.h"
#include "registry/codec.h"
#include "registry/verdict.h"

namespace berth::registry {

// Options says where the registry is and how to reach the OS. The defaults
// are the real OS; tests swap in fakes.
struct Options {
  std::string dir;
  // How long to wait for `registry.lock` (memory updates only).
  absl::Duration lock_timeout = absl::Seconds(5);
  const platform::ProcessInspector* inspector = nullptr;  // null: the system's
  std::function<absl::StatusOr<platform::PortProbe>(uint16_t)> probe;
  // Who listens on a busy port, for reasons shown to people ("" when
  // unknown). Asked only for a wanted port that is busy, after every lock
  // of the allocation is let go.
  std::function<std::string(uint16_t)> describe_listener;
  std::function<absl::Time()> now;
  // The OS ephemeral range; null: the OS's, read once per process.
  std::function<std::optional<allocator::PortRange>()> ephemeral;
  std::ostream* warnings = nullptr;  // null: std::cerr
};

// Entry is a lease record with its state as found now.
struct Entry {
  LeaseRecord record;
  EntryState state = EntryState::kUnknown;
  std::string why;  // why stale or unknown, for people
};

// Holder is the process an allocation records.
struct Holder {
  platform::ProcessIdentity identity;
  bool start_known = true;  // identity.start_token could be read
  // Its PID namespace (ProcessInspector::PidNamespace); nullopt: unknown.
  std::optional<uint64_t> pid_namespace;
  // kLock: the caller keeps the lease lock and asks the OS to hold it past
  // close (where the OS cannot, the record says kLockOrPid). kLockOrPid:
  // keeps it, but may drop it (it will be inherited by exec). kPid: a
  // reservation, no lock kept.
  Hold hold = Hold::kLock;
};

struct AllocateRequest {
  // One or more distinct apps, all allocated or none.
  std::vector<std::string> apps;
  std::string scope;  // "" is the global scope
  Holder holder;
  std::optional<uint16_t> wanted;  // asked for the first app
  allocator::PortRange range = allocator::kDefaultRange;
  // The same holder asking again for an app of the same scope keeps the
  // port it has (a reservation's re-ask); otherwise every request gets new
  // ports (a process holding two leases of one app needs two).
  bool reuse_existing = false;
};

// Claim is one app's port.
struct Claim {
  Entry entry;
  std::string reason;
  // The holder already had this port for the app; nothing was written.
  bool existing = false;
  // The lease lock, held unless the request's hold is kPid.
  platform::FileLock lock;
};

// ReleaseFilter picks the entries Release drops.
struct ReleaseFilter {
  std::optional<uint16_t> port;
  std::optional<std::string> app;
  // With `app`: only that scope ("" global); nullopt: every scope.
  std::optional<std::string> scope;
};

struct Released {
  std::vector<Entry> dropped;
  // Matching entries whose holder keeps its lease lock: only that holder
  // (or its end) can let the port go.
  std::vector<Entry> held;
};

class Registry {
 public:
  explicit Registry(Options options);

  const std::string& dir() const { return options_.dir; }

  // Allocate gives each app of `request` a port (see the file comment).
  // InvalidArgument for a bad request; ResourceExhausted (saying what held
  // the ports) when an app finds none, and then nothing is held or written.
  absl::StatusOr<std::vector<Claim>> Allocate(const AllocateRequest& request);

  // List returns every entry with its state now, by port. Changes nothing
  // (a missing registry directory is an empty list and is not created).
  absl::StatusOr<std::vector<Entry>> List();

  // Release drops the matching entries whose lease lock is free (whatever
  // their state) and reports those whose lock is held.
  absl::StatusOr<Released> Release(const ReleaseFilter& filter);

  // Prune drops every stale entry and returns how many.
  absl::StatusOr<int> Prune();

 private:
  struct Examined;
  class Allocation;

  // EnsureDirectories makes and checks the registry directory and leases/
  // once per process (`again`: the directory went away since).
  absl::Status EnsureDirectories(bool again = false) const;
  std::string LeasePath(uint16_t port) const;
  std::string MemoryPath() const;
  // Memory reads the app -> port memory, converting a format 1 registry and
  // moving aside one that does not decode.
  // What it returns is shared with a per-process cache and never changes.
  absl::StatusOr<std::shared_ptr<const Memory>> ReadMemory();
  absl::Status ConvertFormat1(const std::string& bytes);
  void MoveAside(const std::string& path, absl::string_view bytes,
                 absl::string_view why);
  // Remember records that `claims` were taken and that `lost` ports of
  // these apps now belong to others.
  // `before` is the memory as this allocation read it: only when it would
  // change is the lock taken and the file read again.
  void Remember(const std::string& scope, const std::vector<Claim>& claims,
                const std::vector<std::pair<std::string, uint16_t>>& lost,
                const Memory& before);
  // Visit calls `visit` for each lease file, by port, with its lock taken
  // when free (`lock` held) or not (lock_held): the exclusive lock when it
  // will `mend` (write) records, else the shared reader lock.
  absl::Status Visit(
      bool mend,
      const std::function<absl::Status(uint16_t port, platform::FileLock& lock,
                                       const Facts& facts)>& visit);

  Options options_;
};

// VacateLease gives a held port back: it clears the record and lets the
// lock go. In a forked child (the lock not taken there) it only drops the
// child's copy of the descriptor: a child never releases its parent's
// lease.
absl::Status VacateLease(platform::FileLock& lock);

// RecordHold rewrites the record of a held lease with another Hold (a lease
// handed to a program that replaces this one: kLockOrPid).
absl::Status RecordHold(platform::FileLock& lock, Hold hold);

// HolderText names a record's holder for people: "web (pid 123)".
std::string HolderText(const LeaseRecord& record);

}  // namespace berth::registry

#endif  // BERTH_REGISTRY_REGISTRY_H_
