// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/port.h"

#ifdef _WIN32
#include "platform/internal/win.h"
// The Winsock headers need windows.h first.
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/internal/bind_probe.h"

namespace berth::platform {
namespace {

using ::testing::HasSubstr;

#ifdef _WIN32
using NativeSocket = SOCKET;
constexpr NativeSocket kNoSocket = INVALID_SOCKET;
void CloseNative(NativeSocket s) { closesocket(s); }

// Winsock must be started before the helpers below open sockets.
class WinsockEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    WSADATA data;
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &data), 0);
  }
  void TearDown() override { WSACleanup(); }
};
const ::testing::Environment* const kWinsock =
    ::testing::AddGlobalTestEnvironment(new WinsockEnvironment);
#else
using NativeSocket = int;
constexpr NativeSocket kNoSocket = -1;
void CloseNative(NativeSocket s) { close(s); }
#endif

// Socket is a test socket that closes itself.
class Socket {
 public:
  Socket() = default;
  explicit Socket(NativeSocket s) : s_(s) {}
  Socket(Socket&& other) noexcept : s_(std::exchange(other.s_, kNoSocket)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(s_, other.s_);
    return *this;
  }
  ~Socket() { Close(); }

  NativeSocket get() const { return s_; }
  bool valid() const { return s_ != kNoSocket; }
  void Close() {
    if (s_ != kNoSocket) CloseNative(std::exchange(s_, kNoSocket));
  }

 private:
  NativeSocket s_ = kNoSocket;
};

struct Endpoint {
  sockaddr_storage address;
  socklen_t length;
};

// MakeEndpoint returns `ip` (a numeric IPv4 or IPv6 address) with `port`.
Endpoint MakeEndpoint(int family, const char* ip, uint16_t port) {
  Endpoint e;
  std::memset(&e.address, 0, sizeof(e.address));
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&e.address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET, ip, &v4->sin_addr), 1) << ip;
    e.length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET6, ip, &v6->sin6_addr), 1) << ip;
    e.length = sizeof(sockaddr_in6);
  }
  return e;
}

int FamilyOf(const char* ip) {
  return std::strchr(ip, ':') != nullptr ? AF_INET6 : AF_INET;
}

uint16_t LocalPort(const Socket& s) {
  sockaddr_storage address;
  socklen_t length = sizeof(address);
  EXPECT_EQ(
      getsockname(s.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
}

// Bound is a socket bound to ip:port (port 0: any), or an invalid socket.
Socket Bound(const char* ip, uint16_t port, bool reuse_address) {
  const int family = FamilyOf(ip);
  Socket s(socket(family, SOCK_STREAM, IPPROTO_TCP));
  if (!s.valid()) return Socket();
  int one = 1;
  if (reuse_address) {
    setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR,
               reinterpret_cast<const char*>(&one), sizeof(one));
  }
  if (family == AF_INET6) {
    setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY,
               reinterpret_cast<const char*>(&one), sizeof(one));
  }
  Endpoint e = MakeEndpoint(family, ip, port);
  if (bind(s.get(), reinterpret_cast<const sockaddr*>(&e.address), e.length) !=
      0) {
    return Socket();
  }
  return s;
}

// Listener returns a socket listening on ip, on a port the OS picked.
Socket Listener(const char* ip, bool reuse_address = false) {
  Socket s = Bound(ip, 0, reuse_address);
  if (s.valid() && listen(s.get(), 16) != 0) return Socket();
  return s;
}

bool HaveIpv6Loopback() { return Bound("::1", 0, false).valid(); }

// UnusedPort returns a port that was free on 127.0.0.1 a moment ago.
uint16_t UnusedPort() {
  Socket s = Bound("127.0.0.1", 0, false);
  EXPECT_TRUE(s.valid());
  return s.valid() ? LocalPort(s) : 0;
}

TEST(ProbePortTest, PortZeroIsInvalid) {
  EXPECT_EQ(ProbePort(0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProbePortTest, UnusedPortIsFree) {
  const uint16_t port = UnusedPort();
  ASSERT_NE(port, 0);
  absl::StatusOr<PortProbe> probe = ProbePort(port);
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kFree);
  EXPECT_EQ(probe->ipv6, HaveIpv6Loopback() ? FamilyState::kFree
                                            : FamilyState::kUnavailable);
  EXPECT_TRUE(probe->free());
}

TEST(ProbePortTest, Ipv4ListenerMakesIpv4Busy) {
  Socket listener = Listener("127.0.0.1");
  ASSERT_TRUE(listener.valid());
  absl::StatusOr<PortProbe> probe = ProbePort(LocalPort(listener));
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kBusy);
  EXPECT_NE(probe->ipv6, FamilyState::kBusy);
  EXPECT_FALSE(probe->free());
}

TEST(ListenTcpTest, ListensAndSaysWhenTheAddressIsHeld) {
  absl::StatusOr<intptr_t> first = ListenTcp("127.0.0.1", UnusedPort());
  ASSERT_TRUE(first.ok()) << first.status();
  Socket held(static_cast<NativeSocket>(*first));
  const uint16_t port = LocalPort(held);
  ASSERT_NE(port, 0);
  absl::StatusOr<PortProbe> probe = ProbePort(port);
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kBusy);

  absl::StatusOr<intptr_t> second = ListenTcp("127.0.0.1", port);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable)
      << second.status();
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr(absl::StrCat("port ", port)));
  if (second.ok()) CloseNative(static_cast<NativeSocket>(*second));
}

TEST(ProbePortTest, WildcardListenerMakesIpv4Busy) {
  Socket listener = Listener("0.0.0.0");
  ASSERT_TRUE(listener.valid());
  absl::StatusOr<PortProbe> probe = ProbePort(LocalPort(listener));
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kBusy);
  EXPECT_FALSE(probe->free());
}

TEST(ProbePortTest, Ipv6OnlyListenerMakesIpv6BusyAndLeavesIpv4Free) {
  if (!HaveIpv6Loopback()) GTEST_SKIP() << "this host has no ::1";
  Socket listener = Listener("::1");
  ASSERT_TRUE(listener.valid());
  absl::StatusOr<PortProbe> probe = ProbePort(LocalPort(listener));
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv6, FamilyState::kBusy);
  EXPECT_EQ(probe->ipv4, FamilyState::kFree);
  EXPECT_FALSE(probe->free());
}

TEST(ProbePortTest, Ipv6WildcardListenerMakesIpv6Busy) {
  if (!HaveIpv6Loopback()) GTEST_SKIP() << "this host has no ::1";
  Socket listener = Listener("::");
  ASSERT_TRUE(listener.valid());
  absl::StatusOr<PortProbe> probe = ProbePort(LocalPort(listener));
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv6, FamilyState::kBusy);
  EXPECT_FALSE(probe->free());
}

// On Windows, a bind with SO_REUSEADDR succeeds next to a listener that set
// it too (port stealing): the probe binds with SO_EXCLUSIVEADDRUSE there, and
// gets WSAEADDRINUSE or WSAEACCES. wine follows Linux rules and passes either
// way; Windows itself shows the difference.
TEST(ProbePortTest, ListenerWithReuseAddressIsNotFree) {
  for (const char* ip : {"127.0.0.1", "0.0.0.0"}) {
    SCOPED_TRACE(ip);
    Socket listener = Listener(ip, /*reuse_address=*/true);
    ASSERT_TRUE(listener.valid());
    absl::StatusOr<PortProbe> probe = ProbePort(LocalPort(listener));
    ASSERT_TRUE(probe.ok()) << probe.status();
    EXPECT_NE(probe->ipv4, FamilyState::kFree);
    EXPECT_FALSE(probe->free());
  }
}

TEST(ProbePortTest, BoundButNotListeningSocketWithoutReuseIsBusy) {
  Socket bound = Bound("127.0.0.1", 0, /*reuse_address=*/false);
  ASSERT_TRUE(bound.valid());
  absl::StatusOr<PortProbe> probe = ProbePort(LocalPort(bound));
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kBusy);
}

#ifndef _WIN32
// LeaveTimeWait makes a connection to a fresh listener on 127.0.0.1 whose
// server side closes first, so the server's end (on the listener's port)
// goes to TIME_WAIT; then closes the listener. Returns the port.
uint16_t LeaveTimeWait(bool listener_reuse_address) {
  Socket listener = Listener("127.0.0.1", listener_reuse_address);
  EXPECT_TRUE(listener.valid());
  if (!listener.valid()) return 0;
  const uint16_t port = LocalPort(listener);
  Socket client(socket(AF_INET, SOCK_STREAM, 0));
  Endpoint e = MakeEndpoint(AF_INET, "127.0.0.1", port);
  EXPECT_EQ(connect(client.get(), reinterpret_cast<const sockaddr*>(&e.address),
                    e.length),
            0)
      << errno;
  Socket server(accept(listener.get(), nullptr, nullptr));
  EXPECT_TRUE(server.valid());
  server.Close();  // active close: the server's end ends in TIME_WAIT
  char byte;
  EXPECT_EQ(recv(client.get(), &byte, 1, 0), 0);  // the server's FIN
  client.Close();
  listener.Close();
  return port;
}

TEST(ProbePortTest, TimeWaitAfterReuseAddressServerIsFree) {
  const uint16_t port = LeaveTimeWait(/*listener_reuse_address=*/true);
  ASSERT_NE(port, 0);
  // The connection really lingers: a bind without SO_REUSEADDR fails.
  ASSERT_FALSE(Bound("127.0.0.1", port, /*reuse_address=*/false).valid());
  EXPECT_EQ(errno, EADDRINUSE);
  absl::StatusOr<PortProbe> probe = ProbePort(port);
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kFree);
  EXPECT_TRUE(probe->free());
}

#ifdef __linux__
TEST(ProbePortTest, TimeWaitAfterPlainServerIsBusyOnLinux) {
  // Linux lets SO_REUSEADDR bind over TIME_WAIT only when the old socket had
  // it too; a server could not bind this port either, so "busy" is the truth.
  const uint16_t port = LeaveTimeWait(/*listener_reuse_address=*/false);
  ASSERT_NE(port, 0);
  ASSERT_FALSE(Bound("127.0.0.1", port, /*reuse_address=*/true).valid());
  absl::StatusOr<PortProbe> probe = ProbePort(port);
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->ipv4, FamilyState::kBusy);
}
#endif  // __linux__
#endif  // !_WIN32

TEST(PortProbeTest, FreeNeedsOneUsableFamilyAndNoBlockedOne) {
  using S = FamilyState;
  struct Case {
    S ipv4, ipv6;
    bool free;
  };
  const Case cases[] = {
      {S::kFree, S::kFree, true},
      {S::kFree, S::kUnavailable, true},
      {S::kUnavailable, S::kFree, true},
      {S::kUnavailable, S::kUnavailable, false},
      {S::kBusy, S::kFree, false},
      {S::kFree, S::kBusy, false},
      {S::kExcluded, S::kFree, false},
      {S::kFree, S::kExcluded, false},
      {S::kBusy, S::kUnavailable, false},
      {S::kUnavailable, S::kExcluded, false},
  };
  for (const Case& c : cases) {
    PortProbe probe;
    probe.ipv4 = c.ipv4;
    probe.ipv6 = c.ipv6;
    EXPECT_EQ(probe.free(), c.free)
        << static_cast<int>(c.ipv4) << " " << static_cast<int>(c.ipv6);
  }
}

// What a failed bind means to ProbePort, OS by OS. On Windows WSAEACCES
// (10013) is a port in an excluded range (Hyper-V, WinNAT, WSL, Docker:
// netsh int ipv4 show excludedportrange protocol=tcp), which wine cannot
// make: this mapping is where that case is held to.
TEST(BindErrorStateTest, SaysWhatEachBindErrorMeans) {
  using internal::BindErrorState;
#ifdef _WIN32
  EXPECT_EQ(BindErrorState(WSAEACCES), FamilyState::kExcluded);
  EXPECT_EQ(BindErrorState(10013), FamilyState::kExcluded);
  EXPECT_EQ(BindErrorState(WSAEADDRINUSE), FamilyState::kBusy);
  EXPECT_EQ(BindErrorState(WSAEADDRNOTAVAIL), FamilyState::kUnavailable);
  EXPECT_EQ(BindErrorState(WSAEAFNOSUPPORT), FamilyState::kUnavailable);
  EXPECT_EQ(BindErrorState(WSAEMFILE), std::nullopt);
  EXPECT_EQ(BindErrorState(WSAENOBUFS), std::nullopt);
  EXPECT_EQ(BindErrorState(13), std::nullopt) << "errno's EACCES is not "
                                                 "Winsock's";
#else
  EXPECT_EQ(BindErrorState(EACCES), FamilyState::kExcluded);
  EXPECT_EQ(BindErrorState(EADDRINUSE), FamilyState::kBusy);
  EXPECT_EQ(BindErrorState(EADDRNOTAVAIL), FamilyState::kUnavailable);
  EXPECT_EQ(BindErrorState(EAFNOSUPPORT), FamilyState::kUnavailable);
  EXPECT_EQ(BindErrorState(EMFILE), std::nullopt);
  EXPECT_EQ(BindErrorState(ENOBUFS), std::nullopt);
#endif
}

TEST(EphemeralPortRangeTest, IsAUsableRange) {
  absl::StatusOr<PortRange> range = EphemeralPortRange();
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_GE(range->lo, 1);
  EXPECT_LE(range->lo, range->hi);
}

#ifdef __linux__
TEST(EphemeralPortRangeTest, MatchesProcfsOnLinux) {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  int lo = 0, hi = 0;
  ASSERT_TRUE(file >> lo >> hi);
  absl::StatusOr<PortRange> range = EphemeralPortRange();
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->lo, lo);
  EXPECT_EQ(range->hi, hi);
}
#endif

TEST(ParseIpLocalPortRangeTest, Goldens) {
  struct Case {
    absl::string_view text;
    uint16_t lo, hi;
  };
  const Case cases[] = {
      {"32768\t60999\n", 32768, 60999},  // the kernel's own format
      {"32768 60999", 32768, 60999},      {"  1024 \t 65535  \n", 1024, 65535},
      {"49152\t65535\r\n", 49152, 65535}, {"1 1\n", 1, 1},
      {"00080\t08080\n", 80, 8080},
  };
  for (const Case& c : cases) {
    absl::StatusOr<PortRange> range = ParseIpLocalPortRange(c.text);
    ASSERT_TRUE(range.ok()) << c.text << ": " << range.status();
    EXPECT_EQ(*range, (PortRange{c.lo, c.hi})) << c.text;
  }
}

TEST(ParseIpLocalPortRangeTest, RefusesGarbage) {
  const absl::string_view cases[] = {
      "",          "\n",
      "32768",     "32768\t60999\t61000\n",
      "abc def",   "32768\t60999x\n",
      "0 100",     "100 65536",
      "-1 5",      "+1 5",
      "1.5 6",     "99999999999999999999 1",
      "0x10 0x20", absl::string_view("32768\0 60999", 12),
  };
  for (absl::string_view text : cases) {
    absl::StatusOr<PortRange> range = ParseIpLocalPortRange(text);
    EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument)
        << "\"" << text << "\" gave " << range.status();
  }
}

TEST(ParseIpLocalPortRangeTest, RefusesReversedRange) {
  absl::StatusOr<PortRange> range = ParseIpLocalPortRange("60999\t32768\n");
  EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(range.status().message(), HasSubstr("reversed"));
  EXPECT_THAT(range.status().message(), HasSubstr("60999\\t32768\\n"));
}

}  // namespace
}  // namespace berth::platform
