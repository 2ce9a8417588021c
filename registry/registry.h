// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// registry/registry.h: the one place that touches the registry file.
//
// Every call is one transaction: take registry.lock, read and decode the
// registry, ask the OS about each owner on file (only now, only those),
// probe candidate ports, let the allocator decide, encode, atomically
// replace the file, release the lock. Nothing runs between calls: no
// thread, no timer, no daemon.
//
// An entry is stale when its lease file can be locked (the holder is gone),
// its owner is dead or a zombie, its PID now belongs to another process
// (different start token), or it was recorded under another boot. A
// process that may not be inspected is live; one the OS cannot tell about
// is unknown, and unknown is never stale.
//
// Files in the registry directory: `registry` (the data, see codec.h),
// `registry.lock` (never unlinked), `leases/PORT.lock` (held by the
// process that holds PORT, for as long as it does), and
// `registry.corrupt-TIME` for files that did not decode. A writer killed
// halfway through a replace leaves `.registry.tmp-PID-HEX`; the next writing
// call removes it once PID is dead.

#ifndef BERTH_REGISTRY_REGISTRY_H_
#define BERTH_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <functional>
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

namespace berth::registry {

inline constexpr int64_t kMaxRegistryBytes = 1 << 20;

// Options says where the registry is and how to reach the OS. The defaults
// are the real OS; tests swap in fakes.
struct Options {
  std::string dir;
  absl::Duration lock_timeout = absl::Seconds(5);
  const platform::ProcessInspector* inspector = nullptr;  // null: the system's
  std::function<absl::StatusOr<platform::PortProbe>(uint16_t)> probe;
  // Who listens on a busy port, for the reason text ("" when unknown).
  std::function<std::string(uint16_t)> describe_listener;
  std::function<absl::Time()> now;
  std::ostream* warnings = nullptr;  // null: std::cerr
};

enum class EntryState { kLive, kStale, kUnknown };

// EntryStateName returns "live", "stale" or "unknown".
const char* EntryStateName(EntryState state);

// Entry is a registry entry with its state as found now.
struct Entry {
  std::string app;
  uint16_t port = 0;
  platform::ProcessIdentity owner;
  int64_t since = 0;  // unix seconds
  bool lease = false;
  EntryState state = EntryState::kUnknown;
  std::string why;  // why stale or unknown, for people
};

struct AllocateRequest {
  std::string app;
  platform::ProcessIdentity owner;
  std::optional<uint16_t> wanted;
  allocator::PortRange range = allocator::kDefaultRange;
  // Hold leases/PORT.lock for the port (an embedding process); without a
  // lease the entry lives as long as its owner's PID and start token.
  bool lease = false;
};

struct Allocation {
  Entry entry;
  std::string reason;
  // The same owner already held this app's port: nothing new was recorded.
  bool existing = false;
  // Held when AllocateRequest::lease was set.
  platform::FileLock lease_lock;
};

class Registry {
 public:
  explicit Registry(Options options);

  const std::string& dir() const { return options_.dir; }

  // Allocate gives `request.owner` a port for `request.app`.
  absl::StatusOr<Allocation> Allocate(const AllocateRequest& request);

  // Release drops the entries matching `app` (all owners) or `port`, and
  // when `owner` is given, only that owner's. Returns how many.
  absl::StatusOr<int> ReleaseApp(const std::string& app,
                                 std::optional<platform::ProcessIdentity> owner);
  absl::StatusOr<int> ReleasePort(uint16_t port,
                                  std::optional<platform::ProcessIdentity> owner);

  // List returns every entry with its state now. Read-only: it changes no
  // file (a registry that does not decode is reported, and left for the
  // next writing call to move aside).
  absl::StatusOr<std::vector<Entry>> List();

  // Prune drops every stale entry and returns how many.
  absl::StatusOr<int> Prune();

 private:
  struct Loaded;
  // Load takes the lock and reads the registry. `inspect`: mark each entry
  // live/stale/unknown by asking the OS (entries from another boot are
  // always stale); without it entries are taken as live, unverified.
  absl::StatusOr<Loaded> Load(bool writable, bool inspect = true);
  absl::Status Store(Loaded& loaded);
  absl::StatusOr<int> ReleaseIf(const std::function<bool(const Entry&)>& match);
  std::string LeasePath(uint16_t port) const;

  Options options_;
};

// ResolveDirectory picks the registry directory: `flag` (from --registry)
// when given, else $BERTH_HOME, else the per-user state directory + "berth".
// InvalidArgument for a relative or empty path.
absl::StatusOr<std::string> ResolveDirectory(std::optional<std::string> flag);

}  // namespace berth::registry

#endif  // BERTH_REGISTRY_REGISTRY_H_
