// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/internal/address_text.h"

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace berth::platform::internal {

std::string IPv4Text(const std::array<uint8_t, 4>& address) {
  return absl::StrCat(address[0], ".", address[1], ".", address[2], ".",
                      address[3]);
}

std::string IPv6Text(const std::array<uint8_t, 16>& address) {
  std::array<uint16_t, 8> groups;
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i] =
        static_cast<uint16_t>((address[2 * i] << 8) | address[2 * i + 1]);
  }

  // IPv4-mapped (RFC 5952 section 5): ::ffff:a.b.c.d.
  if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
      groups[4] == 0 && groups[5] == 0xffff) {
    return absl::StrCat("::ffff:", IPv4Text({address[12], address[13],
                                             address[14], address[15]}));
  }

  // The longest run of zero groups, the first on a tie; a single zero group
  // is not shortened (RFC 5952 section 4.2.2).
  size_t best_start = groups.size();
  size_t best_length = 0;
  for (size_t i = 0; i < groups.size();) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < groups.size() && groups[end] == 0) ++end;
    if (end - i > best_length) {
      best_start = i;
      best_length = end - i;
    }
    i = end;
  }
  if (best_length < 2) best_start = groups.size();

  std::string text;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') text += ':';
    absl::StrAppend(&text, absl::Hex(groups[i]));
  }
  return text;
}

}  // namespace berth::platform::internal
