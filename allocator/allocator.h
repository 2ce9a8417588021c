// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// allocator/allocator.h: which ports an app may get, in which order, and
// how to say what happened. Pure: no I/O, no clock, no state beyond the
// object at hand; the same inputs always give the same answers.
//
// The registry walks the candidates of a Plan one by one, checks each
// against the OS and the lease files (only that port, only now), and tells
// the Walk what stood in the way of each it passed over. The first
// candidate nothing stands in the way of is the answer.
//
// Candidates, in order: the wanted port; the ports this app held before
// (Plan::remembered, most recent first); the port derived from the app name;
// then the rest of the range, scanning upward from the derived port and
// wrapping around to `lo`. Only the wanted port may lie outside the range.
// Each port is offered once. Never offered: ports below 1024, ports on the
// browsers' bad-ports list, ports in the OS ephemeral range, and
// Plan::exclude.
//
// Cost: Next is O(1) amortized, plus O(|remembered| + |exclude|) per port.

#ifndef BERTH_ALLOCATOR_ALLOCATOR_H_
#define BERTH_ALLOCATOR_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
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

// Plan says which ports one app may get.
struct Plan {
  std::string app;                 // not empty
  std::optional<uint16_t> wanted;  // an explicit ask (--port); not 0
  // Ports this app held before, most recent first (stickiness); those
  // outside `range` are not offered.
  std::vector<uint16_t> remembered;
  PortRange range = kDefaultRange;
  std::optional<PortRange> ephemeral;  // the OS ephemeral range, if known
  // Never offered: e.g. the ports other apps of the same group just took.
  std::vector<uint16_t> exclude;
};

// Validate returns InvalidArgument for an empty app, a wanted port 0, an
// invalid range (see ValidateRange) or an ephemeral range with lo > hi.
absl::Status Validate(const Plan& plan);

// Which candidate a port came from.
enum class Source { kWanted, kRemembered, kDerived, kScan };

struct Candidate {
  uint16_t port = 0;
  Source source = Source::kScan;

  friend bool operator==(const Candidate& a, const Candidate& b) {
    return a.port == b.port && a.source == b.source;
  }
};

// What stood in the way of a candidate, as the caller found it.
enum class Obstacle {
  kHeld,         // a live holder has it
  kHeldUnknown,  // a holder whose state the OS could not tell has it
  kBusy,         // something listens on it
  kReserved,     // the OS refuses to bind it: Windows' excluded port
                 // ranges (Hyper-V, WinNAT, WSL, Docker); on Linux, ports
                 // below a raised net.ipv4.ip_unprivileged_port_start
};

// Walk yields the candidates of one Plan and keeps what the caller reports
// about them, to explain the outcome. Copyable.
class Walk {
 public:
  // `plan` must pass Validate.
  explicit Walk(Plan plan);

  // Next returns the next candidate, or nullopt when none is left.
  std::optional<Candidate> Next();

  // Pass records why `candidate` (just returned by Next) cannot be had.
  // `who` names the holder or listener for people ("web (pid 123)",
  // "python3 (pid 77)"), or is empty.
  void Pass(const Candidate& candidate, Obstacle obstacle, std::string who);

  // Describe names who stands behind an obstacle Pass recorded for `port`
  // without a name (a listener is looked up only when someone will read
  // about it, and only after every lock is let go).
  void Describe(uint16_t port, std::string who);

  // Took says, for people, how `candidate` was chosen after what was passed
  // over, e.g. "wanted port 8801 is held by web (pid 123); took 8802,
  // derived from the app name". `freed_from` names the gone holder whose
  // stale entry the port was taken from, if any.
  std::string Took(const Candidate& candidate,
                   absl::string_view freed_from = "") const;

  // Kept is Took for a port the same owner already holds for the app.
  std::string Kept(uint16_t port, int64_t pid) const;

  // Exhausted is the error once Next has run out: ResourceExhausted, counting
  // the ports of the range as held by live processes, held by processes of
  // unknown state, busy, and reserved (each port once), and saying why the
  // wanted port was passed over, if one was asked for.
  absl::Status Exhausted() const;

  const Plan& plan() const { return plan_; }

 private:
  // Note is why a named (not scanned) candidate was passed over: a fixed
  // text (reserved ports), or an obstacle and who stands behind it.
  struct Note {
    Candidate candidate;
    std::string fixed;
    Obstacle obstacle = Obstacle::kHeld;
    std::string who;
  };
  std::string NoteText(const Note& note) const;
  std::vector<std::string> NoteTexts() const;
  std::optional<Candidate> Offer(uint16_t port, Source source);

  Plan plan_;
  uint16_t derived_ = 0;
  // Named candidates, in order; the scan skips them.
  std::vector<Candidate> named_;
  size_t next_named_ = 0;
  uint32_t scanned_ = 0;  // how many ports of the range the scan has visited
  // Counts over the range, for Exhausted.
  size_t held_ = 0, unknown_ = 0, busy_ = 0, reserved_ = 0;
  std::vector<Note> notes_;
};

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
