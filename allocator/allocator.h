// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// allocator/allocator.h: which port an app gets, decided from a snapshot.
//
// `Allocate` is a pure function of its arguments: no I/O, no clock, no
// state kept between calls. The registry gathers the facts (entries marked
// live/stale/unknown, ports found busy by probing, the app's last port, the
// OS ephemeral range) and asks for a decision; the same inputs always give
// the same decision.
//
// Candidates, in order: the wanted port; the port this owner already holds
// for the app; the app's last port (`Snapshot::last_port`, then the ports of
// stale entries of the same app); the port derived from the app name; then
// the rest of the range, scanning upward from the derived port and wrapping
// around to `lo`. Only the wanted port may lie outside the range.
//
// What a caller may rely on when `Allocate` returns a decision:
//   - `port` is never held by a live or unknown entry of another owner, or
//     of another app of the same owner.
//   - Unless `existing`, `port` is not in `Snapshot::busy`, not below 1024,
//     not in the ephemeral range and not on the browsers' bad-ports list.
//   - `existing` means the requesting owner already holds this app on
//     `port` (a live or unknown entry): the owner keeps what it holds, even if
//     the port is busy (the owner itself may be listening) or outside the
//     range; the caller neither probes it nor adds an entry.
//   - `drop` lists every stale entry, ascending, whatever port is chosen.
// Progress: a caller that probes a non-existing decision's port and, when it
// is busy, adds it to `Snapshot::busy` and asks again, gets a different port
// each time, and is done after at most (range size + 2) calls: a free port
// or ResourceExhausted.
//
// Cost: O(entries + range size) per call.

#ifndef BERTH_ALLOCATOR_ALLOCATOR_H_
#define BERTH_ALLOCATOR_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::allocator {

// A closed range of ports, lo <= hi (see `ValidateRange`).
struct PortRange {
  uint16_t lo = 8800;
  uint16_t hi = 8999;

  friend bool operator==(const PortRange& a, const PortRange& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }
  friend bool operator!=(const PortRange& a, const PortRange& b) {
    return !(a == b);
  }
};

inline constexpr PortRange kDefaultRange{8800, 8999};

// The process that holds (or asks for) a port. Two owners are the same only
// when both the PID and the start token are equal.
struct Owner {
  int64_t pid = 0;
  uint64_t start_token = 0;

  friend bool operator==(const Owner& a, const Owner& b) {
    return a.pid == b.pid && a.start_token == b.start_token;
  }
  friend bool operator!=(const Owner& a, const Owner& b) { return !(a == b); }
};

// What the registry found out about an entry's owner. Unknown blocks the
// port like live and is never dropped.
enum class EntryState { kLive, kStale, kUnknown };

// One registry entry: `owner` holds `port` for `app`.
struct Entry {
  std::string app;
  uint16_t port = 0;
  Owner owner;
  EntryState state = EntryState::kUnknown;
};

struct Request {
  std::string app;  // must not be empty
  Owner owner;
  std::optional<uint16_t> wanted;  // an explicit ask (--port); not 0
  PortRange range = kDefaultRange;
  // False: every request gets a port of its own, even from an owner that
  // already holds the app (a process holding two leases for one app needs
  // two ports). True: the owner keeps what it holds (idempotent re-ask).
  bool reuse_existing = true;
};

struct Snapshot {
  // Registry entries, each already marked live, stale or unknown.
  std::vector<Entry> entries;
  // Ports found busy by probing -> who listens ("" if unknown), e.g.
  // "python3 (pid 77)".
  absl::flat_hash_map<uint16_t, std::string> busy;
  // App -> the port it had last (from the registry's history).
  absl::flat_hash_map<std::string, uint16_t> last_port;
  // The OS ephemeral range, if known.
  std::optional<PortRange> ephemeral;
};

// Which candidate the decision's port came from.
enum class Source {
  kExisting,  // this owner already holds the app on it
  kWanted,    // Request::wanted
  kLast,      // the app's last port, or the port of its stale entry
  kDerived,   // DerivedPort(app, range)
  kScan,      // the scan of the range
};

struct Decision {
  uint16_t port = 0;
  // True: the same owner already holds this app on `port`; no new entry, no
  // probe.
  bool existing = false;
  Source source = Source::kScan;
  // Indexes into Snapshot::entries to remove, ascending: every stale entry.
  std::vector<size_t> drop;
  // For humans, e.g. "wanted port 8801 is held by web (pid 123); took 8802,
  // derived from the app name".
  std::string reason;
};

// Allocate picks the port for `request` given `snapshot` (see the overview
// above for the candidates and guarantees). Errors:
//   - InvalidArgument: empty app, wanted port 0, an invalid request range
//     (see ValidateRange), or an ephemeral range with lo > hi;
//   - ResourceExhausted: no candidate is allowed. The message counts the
//     ports of the range as held by live processes, held by processes of
//     unknown state, busy, and reserved (ephemeral range, browser bad ports,
//     below 1024); each port once, under the first rule that blocks it in
//     the order reserved, live, unknown, busy. It also says why the wanted
//     port was passed over, if one was asked for.
absl::StatusOr<Decision> Allocate(const Request& request,
                                  const Snapshot& snapshot);

// DerivedPort returns the port `app` maps to inside `range`: lo + FNV-1a
// 32-bit hash of the app's bytes modulo the range size. Stable across runs,
// machines and builds. Returns range.lo if lo > hi.
uint16_t DerivedPort(absl::string_view app, PortRange range);

// IsBadPort says whether browsers refuse to load `port` (the fetch
// standard's "bad port" list).
bool IsBadPort(uint16_t port);

// ValidateRange returns InvalidArgument unless 1 <= range.lo <= range.hi.
absl::Status ValidateRange(PortRange range);

}  // namespace berth::allocator

#endif  // BERTH_ALLOCATOR_ALLOCATOR_H_
