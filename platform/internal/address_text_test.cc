// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/internal/address_text.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace berth::platform::internal {
namespace {

TEST(IPv4TextTest, DottedQuad) {
  EXPECT_EQ(IPv4Text({127, 0, 0, 1}), "127.0.0.1");
  EXPECT_EQ(IPv4Text({0, 0, 0, 0}), "0.0.0.0");
  EXPECT_EQ(IPv4Text({255, 255, 255, 255}), "255.255.255.255");
  EXPECT_EQ(IPv4Text({192, 168, 10, 200}), "192.168.10.200");
}

// V6 builds an address from eight 16-bit groups.
std::array<uint8_t, 16> V6(const std::array<uint16_t, 8>& groups) {
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < groups.size(); ++i) {
    bytes[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
    bytes[2 * i + 1] = static_cast<uint8_t>(groups[i] & 0xff);
  }
  return bytes;
}

TEST(IPv6TextTest, Rfc5952) {
  struct Case {
    std::array<uint16_t, 8> groups;
    std::string text;
  };
  for (const Case& c : std::vector<Case>{
           {{0, 0, 0, 0, 0, 0, 0, 0}, "::"},
           {{0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
           {{1, 0, 0, 0, 0, 0, 0, 0}, "1::"},
           {{0xfe80, 0, 0, 0, 0, 0, 0, 1}, "fe80::1"},
           {{0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}, "2001:db8::2:1"},
           // A single zero group is not shortened (4.2.2).
           {{0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}, "2001:db8:0:1:1:1:1:1"},
           // The longest run wins (4.2.3)...
           {{0x2001, 0, 0, 1, 0, 0, 0, 1}, "2001:0:0:1::1"},
           // ...and the first of equal runs.
           {{0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}, "2001:db8::1:0:0:1"},
           // Lowercase, no leading zeros (4.1, 4.3).
           {{0x2001, 0x0db8, 0xABCD, 0x00ef, 1, 2, 3, 4},
            "2001:db8:abcd:ef:1:2:3:4"},
           {{0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
           // IPv4-mapped in mixed notation (5).
           {{0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001}, "::ffff:127.0.0.1"},
           {{0, 0, 0, 0, 0, 0xffff, 0, 0}, "::ffff:0.0.0.0"},
           // Not mapped: plain hex.
           {{0, 0, 0, 0, 0, 0xfffe, 0x7f00, 1}, "::fffe:7f00:1"},
           {{0, 0, 0, 0, 0, 0, 0x7f00, 1}, "::7f00:1"},
       }) {
    EXPECT_EQ(IPv6Text(V6(c.groups)), c.text);
  }
}

}  // namespace
}  // namespace berth::platform::internal
