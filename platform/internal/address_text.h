// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/address_text.h: IP addresses as text, the same on every
// OS.
//
// inet_ntop differs between C libraries (glibc, macOS, Windows) in corner
// cases such as embedded IPv4 addresses; berth prints addresses itself so that
// a listener reads the same everywhere. IPv6 follows RFC 5952: lowercase hex
// without leading zeros, the longest run of two or more zero groups (the
// first, on a tie) shortened to "::", and IPv4-mapped addresses as
// "::ffff:a.b.c.d".

#ifndef BERTH_PLATFORM_INTERNAL_ADDRESS_TEXT_H_
#define BERTH_PLATFORM_INTERNAL_ADDRESS_TEXT_H_

#include <array>
#include <cstdint>
#include <string>

namespace berth::platform::internal {

// IPv4Text returns dotted-quad text ("127.0.0.1") for an address in network
// byte order.
std::string IPv4Text(const std::array<uint8_t, 4>& address);

// IPv6Text returns RFC 5952 text ("::1", "fe80::1", "::ffff:127.0.0.1") for
// an address in network byte order.
std::string IPv6Text(const std::array<uint8_t, 16>& address);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_ADDRESS_TEXT_H_
