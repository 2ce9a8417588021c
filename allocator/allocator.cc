// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "allocator/allocator.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
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

bool Contains(const std::vector<uint16_t>& ports, uint16_t port) {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

// What a named candidate is called in reasons.
const char* Name(Source source) {
  switch (source) {
    case Source::kWanted:
      return "wanted port";
    case Source::kRemembered:
      return "last port";
    case Source::kDerived:
      return "derived port";
    case Source::kScan:
      break;
  }
  return "port";
}

std::string ObstacleText(Obstacle obstacle, absl::string_view who) {
  switch (obstacle) {
    case Obstacle::kHeld:
      return who.empty() ? "is held by a live process"
                         : absl::StrCat("is held by ", who);
    case Obstacle::kHeldUnknown:
      return who.empty()
                 ? "is held by a process whose state is unknown"
                 : absl::StrCat("is held by ", who, ", whose state is unknown");
    case Obstacle::kBusy:
      return who.empty() ? "is busy"
                         : absl::StrCat("is busy: ", who, " listens on it");
    case Obstacle::kReserved:
      // `who` is the OS's reason, as the caller words it for its OS.
      return who.empty() ? "is refused by the operating system"
                         : absl::StrCat("is ", who);
  }
  return "is taken";
}

}  // namespace

absl::Status Validate(const Plan& plan) {
  if (plan.app.empty()) return absl::InvalidArgumentError("empty app name");
  if (plan.wanted.has_value() && *plan.wanted == 0) {
    return absl::InvalidArgumentError("wanted port 0");
  }
  if (absl::Status status = ValidateRange(plan.range); !status.ok()) {
    return status;
  }
  if (plan.ephemeral.has_value() && plan.ephemeral->lo > plan.ephemeral->hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("ephemeral range ", RangeText(*plan.ephemeral),
                     " is empty: lo > hi"));
  }
  return absl::OkStatus();
}

Walk::Walk(Plan plan) : plan_(std::move(plan)) {
  derived_ = DerivedPort(plan_.app, plan_.range);
  auto add = [&](uint16_t port, Source source) {
    for (const Candidate& c : named_) {
      if (c.port == port) return;
    }
    named_.push_back({port, source});
  };
  if (plan_.wanted.has_value()) add(*plan_.wanted, Source::kWanted);
  for (uint16_t port : plan_.remembered) {
    if (InRange(port, plan_.range)) add(port, Source::kRemembered);
  }
  add(derived_, Source::kDerived);
}

std::string Walk::NoteText(const Note& note) const {
  return absl::StrCat(Name(note.candidate.source), " ", note.candidate.port,
                      " ",
                      note.fixed.empty() ? ObstacleText(note.obstacle, note.who)
                                         : note.fixed);
}

std::vector<std::string> Walk::NoteTexts() const {
  std::vector<std::string> texts;
  texts.reserve(notes_.size() + 1);
  for (const Note& note : notes_) texts.push_back(NoteText(note));
  return texts;
}

void Walk::Describe(uint16_t port, std::string who) {
  for (Note& note : notes_) {
    if (note.candidate.port == port && note.fixed.empty() && note.who.empty()) {
      note.who = std::move(who);
      return;
    }
  }
}

std::optional<Candidate> Walk::Offer(uint16_t port, Source source) {
  const Candidate candidate{port, source};
  const char* why = nullptr;
  std::string ephemeral;
  if (port < 1024) {
    why = "is below 1024";
  } else if (IsBadPort(port)) {
    why = "is on the browsers' bad-ports list";
  } else if (plan_.ephemeral.has_value() &&
             InRange(port, *plan_.ephemeral)) {
    ephemeral = absl::StrCat("is in the ephemeral range ",
                             RangeText(*plan_.ephemeral));
    why = ephemeral.c_str();
  } else if (Contains(plan_.exclude, port)) {
    why = "is taken by another app of this request";
  }
  if (why == nullptr) return candidate;
  if (InRange(port, plan_.range)) ++reserved_;
  if (source != Source::kScan) notes_.push_back({candidate, why, {}, {}});
  return std::nullopt;
}

std::optional<Candidate> Walk::Next() {
  while (next_named_ < named_.size()) {
    const Candidate c = named_[next_named_++];
    if (std::optional<Candidate> offered = Offer(c.port, c.source)) {
      return offered;
    }
  }
  const uint32_t size = RangeSize(plan_.range);
  const uint32_t start = static_cast<uint32_t>(derived_) - plan_.range.lo;
  while (scanned_ < size) {
    const auto port =
        static_cast<uint16_t>(plan_.range.lo + (start + scanned_) % size);
    ++scanned_;
    bool named = false;
    for (const Candidate& c : named_) named = named || c.port == port;
    if (named) continue;  // offered (and counted) already
    if (std::optional<Candidate> offered = Offer(port, Source::kScan)) {
      return offered;
    }
  }
  return std::nullopt;
}

void Walk::Pass(const Candidate& candidate, Obstacle obstacle,
                std::string who) {
  if (InRange(candidate.port, plan_.range)) {
    switch (obstacle) {
      case Obstacle::kHeld:
        ++held_;
        break;
      case Obstacle::kHeldUnknown:
        ++unknown_;
        break;
      case Obstacle::kBusy:
        ++busy_;
        break;
      case Obstacle::kReserved:
        ++reserved_;
        break;
    }
  }
  if (candidate.source != Source::kScan) {
    notes_.push_back({candidate, "", obstacle, std::move(who)});
  }
}

std::string Walk::Took(const Candidate& candidate,
                       absl::string_view freed_from) const {
  std::string how;
  switch (candidate.source) {
    case Source::kWanted:
      how = absl::StrCat("took ", candidate.port, ", the wanted port");
      break;
    case Source::kRemembered:
      how = absl::StrCat("took ", candidate.port, ", the port ", plan_.app,
                         " had last");
      break;
    case Source::kDerived:
      how = absl::StrCat("took ", candidate.port, ", derived from the app name");
      break;
    case Source::kScan:
      how = absl::StrCat("took ", candidate.port,
                         ", the first free port scanning up from ", derived_);
      break;
  }
  if (!freed_from.empty()) {
    absl::StrAppend(&how, ", freed from the stale entry of ", freed_from);
  }
  std::vector<std::string> parts = NoteTexts();
  parts.push_back(std::move(how));
  return absl::StrJoin(parts, "; ");
}

std::string Walk::Kept(uint16_t port, int64_t pid) const {
  std::vector<std::string> parts = NoteTexts();
  parts.push_back(absl::StrCat("kept ", port, ", which pid ", pid,
                               " already holds for ", plan_.app));
  return absl::StrJoin(parts, "; ");
}

absl::Status Walk::Exhausted() const {
  std::string message = absl::StrCat(
      "no free port in ", RangeText(plan_.range), " for ", plan_.app, ": ",
      held_, " held by live processes, ", unknown_,
      " held by processes of unknown state, ", busy_, " busy, ", reserved_,
      " reserved (below 1024, the browsers' bad ports, the ephemeral range, "
      "or refused by the operating system)");
  for (const Note& note : notes_) {
    if (note.candidate.source == Source::kWanted) {
      absl::StrAppend(&message, "; ", NoteText(note));
    }
  }
  absl::StrAppend(&message,
                  "; stop a server that holds a port or use a wider range");
  return absl::ResourceExhaustedError(message);
}

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

}  // namespace berth::allocator
