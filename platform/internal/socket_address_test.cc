// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/socket_address.h: the bytes bind() gets, on every OS.

#include "platform/internal/socket_address.h"

#ifndef _WIN32
#include <arpa/inet.h>
#endif

#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace berth::platform::internal {
namespace {

const sockaddr_in& V4(const SocketAddress& a) {
  return *reinterpret_cast<const sockaddr_in*>(&a.storage);
}
const sockaddr_in6& V6(const SocketAddress& a) {
  return *reinterpret_cast<const sockaddr_in6*>(&a.storage);
}

TEST(LocalAddressTest, Ipv4LoopbackAndWildcard) {
  const SocketAddress loopback =
      LocalAddress(Family::kIpv4, Address::kLoopback, 8800);
  EXPECT_EQ(loopback.family(), AF_INET);
  EXPECT_EQ(loopback.length, static_cast<int>(sizeof(sockaddr_in)));
  EXPECT_EQ(ntohs(V4(loopback).sin_port), 8800);
  EXPECT_EQ(ntohl(V4(loopback).sin_addr.s_addr), INADDR_LOOPBACK);
  EXPECT_EQ(loopback.text, "127.0.0.1:8800");
  EXPECT_EQ(static_cast<const void*>(loopback.get()),
            static_cast<const void*>(&loopback.storage));

  const SocketAddress any = LocalAddress(Family::kIpv4, Address::kWildcard, 1);
  EXPECT_EQ(ntohl(V4(any).sin_addr.s_addr), INADDR_ANY);
  EXPECT_EQ(ntohs(V4(any).sin_port), 1);
  EXPECT_EQ(any.text, "0.0.0.0:1");
}

TEST(LocalAddressTest, Ipv6LoopbackAndWildcard) {
  const SocketAddress loopback =
      LocalAddress(Family::kIpv6, Address::kLoopback, 65535);
  EXPECT_EQ(loopback.family(), AF_INET6);
  EXPECT_EQ(loopback.length, static_cast<int>(sizeof(sockaddr_in6)));
  EXPECT_EQ(ntohs(V6(loopback).sin6_port), 65535);
  EXPECT_EQ(
      std::memcmp(&V6(loopback).sin6_addr, &in6addr_loopback, sizeof(in6_addr)),
      0);
  EXPECT_EQ(V6(loopback).sin6_scope_id, 0u);
  EXPECT_EQ(loopback.text, "[::1]:65535");

  const SocketAddress any =
      LocalAddress(Family::kIpv6, Address::kWildcard, 8801);
  EXPECT_EQ(std::memcmp(&V6(any).sin6_addr, &in6addr_any, sizeof(in6_addr)), 0);
  EXPECT_EQ(any.text, "[::]:8801");
}

TEST(ParseSocketAddressTest, TakesLiteralsAndLocalhost) {
  absl::StatusOr<SocketAddress> v4 = ParseSocketAddress("10.1.2.3", 8080);
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->family(), AF_INET);
  EXPECT_EQ(v4->length, static_cast<int>(sizeof(sockaddr_in)));
  EXPECT_EQ(ntohl(V4(*v4).sin_addr.s_addr), 0x0A010203u);
  EXPECT_EQ(ntohs(V4(*v4).sin_port), 8080);
  EXPECT_EQ(v4->text, "10.1.2.3:8080");

  absl::StatusOr<SocketAddress> v6 = ParseSocketAddress("::1", 8081);
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->family(), AF_INET6);
  EXPECT_EQ(v6->length, static_cast<int>(sizeof(sockaddr_in6)));
  EXPECT_EQ(v6->text, "[::1]:8081");

  absl::StatusOr<SocketAddress> localhost =
      ParseSocketAddress("localhost", 8082);
  ASSERT_TRUE(localhost.ok()) << localhost.status();
  EXPECT_EQ(localhost->text, "127.0.0.1:8082");
}

TEST(ParseSocketAddressTest, RefusesNamesAndGarbage) {
  for (const char* host :
       {"", "example.com", "1.2.3.4.5", "127.0.0.1:80", "[::1]", " ::1"}) {
    absl::StatusOr<SocketAddress> got = ParseSocketAddress(host, 80);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << host;
  }
  EXPECT_EQ(ParseSocketAddress("example.com", 80).status().message(),
            "\"example.com\" is not an IP address (use e.g. 127.0.0.1 or ::1)");
}

}  // namespace
}  // namespace berth::platform::internal
