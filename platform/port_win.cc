// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/port.h for Windows: BindProbe (the OS step of ProbePort) binds
// with SO_EXCLUSIVEADDRUSE; EphemeralPortRange.
//
// With SO_REUSEADDR (or with no option at all, for a listener bound to the
// wildcard address) Windows lets a second bind succeed next to a live
// listener; an exclusive bind to the wildcard address fails with
// WSAEADDRINUSE against any socket on the port (Microsoft's "Using
// SO_REUSEADDR and SO_EXCLUSIVEADDRUSE" table). WSAEACCES means the port lies
// in an excluded range (Hyper-V, WinNAT, WSL, Docker), or a listener holds it
// exclusively on the wildcard address: either way it must not be handed out.

#include "platform/internal/win.h"
// The Winsock headers need windows.h first.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/port.h"

#ifdef _MSC_VER
#pragma comment(lib, "ws2_32.lib")
#endif

namespace berth::platform::internal {
namespace {

// WinsockStartError starts Winsock 2.2 once per process and returns the error
// WSAStartup gave (0 on success). It is never cleaned up: the process exit
// does that, and a WSACleanup here could pull Winsock from under a server
// embedding berth.
int WinsockStartError() {
  static const int error = [] {
    WSADATA data;
    return WSAStartup(MAKEWORD(2, 2), &data);
  }();
  return error;
}

// SocketCloser closes a socket when it goes out of scope.
class SocketCloser {
 public:
  explicit SocketCloser(SOCKET socket) : socket_(socket) {}
  SocketCloser(const SocketCloser&) = delete;
  SocketCloser& operator=(const SocketCloser&) = delete;
  ~SocketCloser() { closesocket(socket_); }

 private:
  SOCKET socket_;
};

}  // namespace

absl::StatusOr<FamilyState> BindProbe(Family which, Address where,
                                      uint16_t port) {
  const int family = which == Family::kIpv4 ? AF_INET : AF_INET6;
  const bool loopback = where == Address::kLoopback;
  if (int error = WinsockStartError(); error != 0) {
    return WindowsErrorToStatus(error, "WSAStartup 2.2");
  }
  sockaddr_storage address;
  std::memset(&address, 0, sizeof(address));
  int length = 0;
  std::string name;
  if (family == AF_INET) {
    sockaddr_in v4;
    std::memset(&v4, 0, sizeof(v4));
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    v4.sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
    std::memcpy(&address, &v4, sizeof(v4));
    length = sizeof(v4);
    name = absl::StrCat(loopback ? "127.0.0.1" : "0.0.0.0", ":", port);
  } else {
    sockaddr_in6 v6;
    std::memset(&v6, 0, sizeof(v6));
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    v6.sin6_addr = loopback ? in6addr_loopback : in6addr_any;
    std::memcpy(&address, &v6, sizeof(v6));
    length = sizeof(v6);
    name = absl::StrCat(loopback ? "[::1]" : "[::]", ":", port);
  }

  // Not inheritable: a child started meanwhile must not keep the port bound.
  SOCKET s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                        WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) {
    int error = WSAGetLastError();
    if (error == WSAEAFNOSUPPORT || error == WSAEPROTONOSUPPORT) {
      return FamilyState::kUnavailable;
    }
    return WindowsErrorToStatus(error, absl::StrCat("WSASocketW for ", name));
  }
  SocketCloser closer(s);

  BOOL on = TRUE;
  if (setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
                 reinterpret_cast<const char*>(&on), sizeof(on)) != 0) {
    return WindowsErrorToStatus(
        WSAGetLastError(),
        absl::StrCat("setsockopt SO_EXCLUSIVEADDRUSE ", name));
  }
  // IPV6_V6ONLY is on by default on Windows; say so anyway.
  DWORD v6only = 1;
  if (family == AF_INET6 &&
      setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY,
                 reinterpret_cast<const char*>(&v6only), sizeof(v6only)) != 0) {
    return WindowsErrorToStatus(WSAGetLastError(),
                                absl::StrCat("setsockopt IPV6_V6ONLY ", name));
  }
  if (bind(s, reinterpret_cast<const sockaddr*>(&address), length) == 0) {
    return FamilyState::kFree;
  }
  int error = WSAGetLastError();
  switch (error) {
    case WSAEADDRINUSE:
      return FamilyState::kBusy;
    case WSAEACCES:
      return FamilyState::kExcluded;
    case WSAEADDRNOTAVAIL:
    case WSAEAFNOSUPPORT:
      return FamilyState::kUnavailable;
    default:
      return WindowsErrorToStatus(error, absl::StrCat("bind ", name));
  }
}

// ListenSocket is ListenTcp's Windows body (it needs the helpers above).
absl::StatusOr<intptr_t> ListenSocket(const std::string& host, uint16_t port) {
  if (const int error = WinsockStartError(); error != 0) {
    return WindowsErrorToStatus(error, "WSAStartup 2.2");
  }
  const std::string literal = host == "localhost" ? "127.0.0.1" : host;
  sockaddr_storage addr;
  std::memset(&addr, 0, sizeof(addr));
  int len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(*v6);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", host, "\" is not an IP address (use e.g. 127.0.0.1 or ::1)"));
  }
  SOCKET s = WSASocketW(addr.ss_family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                        WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET)
    return WindowsErrorToStatus(WSAGetLastError(), "socket");
  // Exclusive, so no other socket can bind over the server's port.
  const BOOL on = TRUE;
  setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
             reinterpret_cast<const char*>(&on), sizeof(on));
  if (bind(s, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(s, SOMAXCONN) != 0) {
    const int error = WSAGetLastError();
    closesocket(s);
    return WindowsErrorToStatus(
        error, absl::StrCat("listen on ", host, " port ", port));
  }
  return static_cast<intptr_t>(s);
}

// Windows may let a bind succeed next to a listener on another address of
// the family ("CHECK" in its sharing table): both addresses are probed.
const bool kWildcardProbeSuffices = false;

}  // namespace berth::platform::internal

namespace berth::platform {

absl::StatusOr<intptr_t> ListenTcp(const std::string& host, uint16_t port) {
  return internal::ListenSocket(host, port);
}

// EphemeralPortRange returns the IANA dynamic range Windows uses since Vista.
// Windows documents no API that reads the configured range (only `netsh int
// ipv4 show dynamicport tcp`), so a range changed with netsh is not seen;
// the probe still reports any port that is actually taken.
absl::StatusOr<PortRange> EphemeralPortRange() {
  return PortRange{49152, 65535};
}

}  // namespace berth::platform
