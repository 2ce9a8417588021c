// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "allocator/allocator.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace berth::allocator {
namespace {

// The fetch standard's "bad port" list (https://fetch.spec.whatwg.org/#port-
// blocking), sorted for binary search.
constexpr uint16_t kBadPorts[] = {
    1,    7,    9,    11,   13,   15,   17,   19,   20,   21,    22,   23,
    25,   37,   42,   43,   53,   69,   77,   79,   87,   95,    101,  102,
    103,  104,  109,  110,  111,  113,  115,  117,  119,  123,   135,  137,
    139,  143,  161,  179,  389,  427,  465,  512,  513,  514,   515,  526,
    530,  531,  532,  540,  548,  554,  556,  563,  587,  601,   636,  989,
    990,  993,  995,  1719, 1720, 1723, 2049, 3659, 4045, 4190,  5060, 5061,
    6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
};

// Fnv1a32 is the 32-bit FNV-1a hash of `bytes`: fixed constants, no seed,
// so the same on every machine and in every run (unlike absl::Hash).
uint32_t Fnv1a32(absl::string_view bytes) {
  uint32_t hash = 2166136261u;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

uint32_t RangeSize(PortRange range) {
  return static_cast<uint32_t>(range.hi) - range.lo + 1;
}

bool InRange(uint16_t port, PortRange range) {
  return range.lo <= port && port <= range.hi;
}

std::string RangeText(PortRange range) {
  return absl::StrCat(range.lo, "-", range.hi);
}

std::string HolderText(const Entry& entry) {
  return absl::StrCat(entry.app, " (pid ", entry.owner.pid, ")");
}

// The first rule that keeps a port from being handed out, in the order
// they are checked.
enum class Block {
  kNone,
  kBelow1024,
  kBadPort,
  kEphemeral,
  kLive,
  kUnknown,
  kBusy,
};

// Rules applies the never-rules of one request to one snapshot. It indexes
// the entries once, so each check is O(1).
class Rules {
 public:
  Rules(const Request& request, const Snapshot& snapshot)
      : snapshot_(snapshot) {
    for (const Entry& entry : snapshot.entries) {
      if (entry.state == EntryState::kStale) {
        stale_.try_emplace(entry.port, &entry);
        continue;
      }
      if (request.reuse_existing && entry.owner == request.owner &&
          entry.app == request.app) {
        own_.push_back(&entry);
        continue;
      }
      // Several entries on one port: report a live one if there is one.
      auto [it, inserted] = held_.try_emplace(entry.port, &entry);
      if (!inserted && it->second->state != EntryState::kLive) {
        it->second = &entry;
      }
    }
  }

  // Check returns the first rule that forbids `port`, or kNone.
  Block Check(uint16_t port) const {
    if (port < 1024) return Block::kBelow1024;
    if (IsBadPort(port)) return Block::kBadPort;
    if (snapshot_.ephemeral.has_value() &&
        InRange(port, *snapshot_.ephemeral)) {
      return Block::kEphemeral;
    }
    if (const auto it = held_.find(port); it != held_.end()) {
      return it->second->state == EntryState::kLive ? Block::kLive
                                                    : Block::kUnknown;
    }
    if (snapshot_.busy.contains(port)) return Block::kBusy;
    return Block::kNone;
  }

  // Why says in words why `port` is blocked by `block`, e.g. "is held by web
  // (pid 123)".
  std::string Why(uint16_t port, Block block) const {
    switch (block) {
      case Block::kNone:
        return "is free";
      case Block::kBelow1024:
        return "is below 1024";
      case Block::kBadPort:
        return "is on the browsers' bad-ports list";
      case Block::kEphemeral:
        return absl::StrCat("is in the ephemeral range ",
                            RangeText(*snapshot_.ephemeral));
      case Block::kLive:
        return absl::StrCat("is held by ", HolderText(*held_.at(port)));
      case Block::kUnknown:
        return absl::StrCat("is held by ", HolderText(*held_.at(port)),
                            ", whose state is unknown");
      case Block::kBusy: {
        const std::string& who = snapshot_.busy.at(port);
        if (who.empty()) return "is busy";
        return absl::StrCat("is busy: ", who, " listens on it");
      }
    }
    return "is blocked";
  }

  // HeldByOther returns the live or unknown entry of someone else on `port`.
  const Entry* HeldByOther(uint16_t port) const {
    const auto it = held_.find(port);
    return it == held_.end() ? nullptr : it->second;
  }

  // Stale returns a stale entry on `port`, or nullptr.
  const Entry* Stale(uint16_t port) const {
    const auto it = stale_.find(port);
    return it == stale_.end() ? nullptr : it->second;
  }

  // Own lists the live or unknown entries of the requesting owner for the
  // requested app, in snapshot order.
  const std::vector<const Entry*>& Own() const { return own_; }

 private:
  const Snapshot& snapshot_;
  absl::flat_hash_map<uint16_t, const Entry*> held_;
  absl::flat_hash_map<uint16_t, const Entry*> stale_;
  std::vector<const Entry*> own_;
};

}  // namespace

uint16_t DerivedPort(absl::string_view app, PortRange range) {
  if (range.lo > range.hi) return range.lo;
  return static_cast<uint16_t>(range.lo + Fnv1a32(app) % RangeSize(range));
}

bool IsBadPort(uint16_t port) {
  return std::binary_search(std::begin(kBadPorts), std::end(kBadPorts), port);
}

absl::Status ValidateRange(PortRange range) {
  if (range.lo == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("port range ", RangeText(range), " starts at 0"));
  }
  if (range.lo > range.hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("port range ", RangeText(range), " is empty: lo > hi"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Decision> Allocate(const Request& request,
                                  const Snapshot& snapshot) {
  if (request.app.empty()) {
    return absl::InvalidArgumentError("empty app name");
  }
  if (request.wanted.has_value() && *request.wanted == 0) {
    return absl::InvalidArgumentError("wanted port 0");
  }
  if (absl::Status status = ValidateRange(request.range); !status.ok()) {
    return status;
  }
  if (snapshot.ephemeral.has_value() &&
      snapshot.ephemeral->lo > snapshot.ephemeral->hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("ephemeral range ", RangeText(*snapshot.ephemeral),
                     " is empty: lo > hi"));
  }

  const PortRange range = request.range;
  const Rules rules(request, snapshot);

  Decision decision;
  for (size_t i = 0; i < snapshot.entries.size(); ++i) {
    if (snapshot.entries[i].state == EntryState::kStale) {
      decision.drop.push_back(i);
    }
  }

  // Why earlier candidates were passed over, for the reason.
  std::vector<std::string> passed;
  // Candidates already checked, so none is reported twice.
  absl::flat_hash_set<uint16_t> tried;

  auto decide = [&](uint16_t port, Source source, std::string how) -> Decision {
    decision.port = port;
    decision.source = source;
    decision.existing = source == Source::kExisting;
    if (const Entry* stale = rules.Stale(port);
        stale != nullptr && !decision.existing) {
      absl::StrAppend(&how, ", freed from the stale entry of ",
                      HolderText(*stale));
    }
    passed.push_back(std::move(how));
    decision.reason = absl::StrJoin(passed, "; ");
    return std::move(decision);
  };
  // try_port checks one named candidate; true if it may be handed out, else it
  // notes why not (`what` names the candidate, e.g. "wanted port 8801").
  auto try_port = [&](uint16_t port, absl::string_view what) {
    if (!tried.insert(port).second) return false;
    const Block block = rules.Check(port);
    if (block == Block::kNone) return true;
    passed.push_back(
        absl::StrCat(what, " ", port, " ", rules.Why(port, block)));
    return false;
  };
  // An own entry counts only if nobody else holds its port too.
  auto own_entry = [&](std::optional<uint16_t> port) -> const Entry* {
    for (const Entry* entry : rules.Own()) {
      if (port.has_value() && entry->port != *port) continue;
      if (rules.HeldByOther(entry->port) == nullptr) return entry;
    }
    return nullptr;
  };
  auto keep = [&](const Entry& own) {
    return decide(own.port, Source::kExisting,
                  absl::StrCat("kept ", own.port, ", which pid ", own.owner.pid,
                               " already holds for ", own.app));
  };

  // Why the wanted port was passed over, for the exhaustion message.
  std::string wanted_note;

  // 1. The wanted port; if this owner already holds the app on it, it keeps
  //    it.
  if (request.wanted.has_value()) {
    const uint16_t wanted = *request.wanted;
    if (const Entry* own = own_entry(wanted); own != nullptr) {
      return keep(*own);
    }
    if (try_port(wanted, "wanted port")) {
      return decide(wanted, Source::kWanted,
                    absl::StrCat("took ", wanted, ", the wanted port"));
    }
    wanted_note = passed.back();
  }

  // 2. The port this owner already holds for the app.
  if (const Entry* own = own_entry(std::nullopt); own != nullptr) {
    return keep(*own);
  }

  // 3. The app's last port, then the ports of its stale entries.
  std::vector<uint16_t> last;
  if (const auto it = snapshot.last_port.find(request.app);
      it != snapshot.last_port.end()) {
    last.push_back(it->second);
  }
  for (const Entry& entry : snapshot.entries) {
    if (entry.state == EntryState::kStale && entry.app == request.app) {
      last.push_back(entry.port);
    }
  }
  for (const uint16_t port : last) {
    if (!InRange(port, range)) continue;
    if (try_port(port, "last port")) {
      return decide(
          port, Source::kLast,
          absl::StrCat("took ", port, ", the port ", request.app, " had last"));
    }
  }

  // 4. The port derived from the app name.
  const uint16_t derived = DerivedPort(request.app, range);
  if (try_port(derived, "derived port")) {
    return decide(
        derived, Source::kDerived,
        absl::StrCat("took ", derived, ", derived from the app name"));
  }

  // 5. The rest of the range, upward from the derived port, wrapping to lo.
  //    Ports tried above failed their check and fail it again here.
  const uint32_t size = RangeSize(range);
  const uint32_t start = static_cast<uint32_t>(derived) - range.lo;
  for (uint32_t i = 1; i < size; ++i) {
    const auto port = static_cast<uint16_t>(range.lo + (start + i) % size);
    if (rules.Check(port) == Block::kNone) {
      return decide(
          port, Source::kScan,
          absl::StrCat("took ", port, ", the first free port scanning up from ",
                       derived));
    }
  }

  // Nothing left: count what blocks each port of the range.
  size_t live = 0, unknown = 0, busy = 0, reserved = 0;
  for (uint32_t i = 0; i < size; ++i) {
    switch (rules.Check(static_cast<uint16_t>(range.lo + i))) {
      case Block::kLive:
        ++live;
        break;
      case Block::kUnknown:
        ++unknown;
        break;
      case Block::kBusy:
        ++busy;
        break;
      case Block::kBelow1024:
      case Block::kBadPort:
      case Block::kEphemeral:
        ++reserved;
        break;
      case Block::kNone:  // unreachable: a free port was handed out above
        break;
    }
  }
  std::string message = absl::StrCat(
      "no free port in ", RangeText(range), ": ", live,
      " held by live processes, ", unknown,
      " held by processes of unknown state, ", busy, " busy, ", reserved,
      " reserved (ephemeral range, browser bad ports, below 1024)");
  if (!wanted_note.empty()) absl::StrAppend(&message, "; ", wanted_note);
  absl::StrAppend(&message,
                  "; stop a server that holds a port or use a wider range");
  return absl::ResourceExhaustedError(message);
}

}  // namespace berth::allocator
