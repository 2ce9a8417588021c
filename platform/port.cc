// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The OS-independent part of platform/port.h: which addresses ProbePort
// binds and how their answers combine (the binding itself is per OS, in
// internal/bind_probe.h), PortProbe::free, and the parser of Linux's
// ip_local_port_range text (pure, so every OS tests it).

#include "platform/port.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "platform/internal/bind_probe.h"

namespace berth::platform {
namespace {

bool Blocks(FamilyState state) {
  return state == FamilyState::kBusy || state == FamilyState::kExcluded;
}

// ParsePort accepts 1 to 5 ASCII digits with a value in [1, 65535]; no sign,
// no blanks (SimpleAtoi would accept "+1" and " 1").
bool ParsePort(absl::string_view text, uint16_t* port) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

// Quote returns `text` C-escaped in double quotes, cut to a readable length.
std::string Quote(absl::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return absl::StrCat("\"", absl::CEscape(text), "\"");
  return absl::StrCat("\"", absl::CEscape(text.substr(0, kMax)), "\"...");
}

// Worse returns the state that keeps a port from being handed out first:
// busy, then excluded; otherwise `loopback`, since an unavailable wildcard
// says nothing the loopback bind did not.
FamilyState Worse(FamilyState loopback, FamilyState wildcard) {
  if (loopback == FamilyState::kBusy || wildcard == FamilyState::kBusy) {
    return FamilyState::kBusy;
  }
  if (loopback == FamilyState::kExcluded ||
      wildcard == FamilyState::kExcluded) {
    return FamilyState::kExcluded;
  }
  return loopback;
}

absl::StatusOr<FamilyState> ProbeFamily(internal::Family family,
                                        uint16_t port) {
  if (internal::kWildcardProbeSuffices) {
    return internal::BindProbe(family, internal::Address::kWildcard, port);
  }
  absl::StatusOr<FamilyState> loopback =
      internal::BindProbe(family, internal::Address::kLoopback, port);
  if (!loopback.ok() || *loopback == FamilyState::kUnavailable) {
    return loopback;
  }
  absl::StatusOr<FamilyState> wildcard =
      internal::BindProbe(family, internal::Address::kWildcard, port);
  if (!wildcard.ok()) return wildcard;
  return Worse(*loopback, *wildcard);
}

}  // namespace

absl::StatusOr<PortProbe> ProbePort(uint16_t port) {
  if (port == 0) {
    return absl::InvalidArgumentError("port 0 cannot be probed");
  }
  PortProbe probe;
  absl::StatusOr<FamilyState> ipv4 = ProbeFamily(internal::Family::kIpv4, port);
  if (!ipv4.ok()) return ipv4.status();
  probe.ipv4 = *ipv4;
  absl::StatusOr<FamilyState> ipv6 = ProbeFamily(internal::Family::kIpv6, port);
  if (!ipv6.ok()) return ipv6.status();
  probe.ipv6 = *ipv6;
  return probe;
}

bool PortProbe::free() const {
  if (Blocks(ipv4) || Blocks(ipv6)) return false;
  return ipv4 == FamilyState::kFree || ipv6 == FamilyState::kFree;
}

absl::StatusOr<PortRange> ParseIpLocalPortRange(absl::string_view text) {
  std::vector<absl::string_view> fields =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n\v\f"), absl::SkipEmpty());
  PortRange range;
  if (fields.size() != 2 || !ParsePort(fields[0], &range.lo) ||
      !ParsePort(fields[1], &range.hi)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected two ports from 1 to 65535, got ", Quote(text)));
  }
  if (range.lo > range.hi) {
    return absl::InvalidArgumentError(absl::StrCat("port range is reversed (",
                                                   range.lo, " > ", range.hi,
                                                   "): ", Quote(text)));
  }
  return range;
}

}  // namespace berth::platform
