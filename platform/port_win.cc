// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/port.h for Windows: BindProbe (the OS step of ProbePort) binds
// with SO_EXCLUSIVEADDRUSE and BindErrorState says what its errors mean;
// ListenTcp; EphemeralPortRange.
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
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/bind_probe.h"
#include "platform/internal/socket_address.h"
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

std::optional<FamilyState> BindErrorState(int error) {
  switch (error) {
    case WSAEADDRINUSE:
      return FamilyState::kBusy;
    case WSAEACCES:  // an excluded port range, or an exclusive listener
      return FamilyState::kExcluded;
    case WSAEADDRNOTAVAIL:
    case WSAEAFNOSUPPORT:
      return FamilyState::kUnavailable;
    default:
      return std::nullopt;
  }
}

absl::StatusOr<FamilyState> BindProbe(Family family, Address where,
                                      uint16_t port) {
  if (int error = WinsockStartError(); error != 0) {
    return WindowsErrorToStatus(error, "WSAStartup 2.2");
  }
  const SocketAddress address = LocalAddress(family, where, port);
  // Not inheritable: a child started meanwhile must not keep the port bound.
  SOCKET s = WSASocketW(address.family(), SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                        WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) {
    int error = WSAGetLastError();
    if (error == WSAEAFNOSUPPORT || error == WSAEPROTONOSUPPORT) {
      return FamilyState::kUnavailable;
    }
    return WindowsErrorToStatus(error,
                                absl::StrCat("WSASocketW for ", address.text));
  }
  SocketCloser closer(s);

  BOOL on = TRUE;
  if (setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
                 reinterpret_cast<const char*>(&on), sizeof(on)) != 0) {
    return WindowsErrorToStatus(
        WSAGetLastError(),
        absl::StrCat("setsockopt SO_EXCLUSIVEADDRUSE ", address.text));
  }
  // IPV6_V6ONLY is on by default on Windows; say so anyway.
  DWORD v6only = 1;
  if (family == Family::kIpv6 &&
      setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY,
                 reinterpret_cast<const char*>(&v6only), sizeof(v6only)) != 0) {
    return WindowsErrorToStatus(
        WSAGetLastError(),
        absl::StrCat("setsockopt IPV6_V6ONLY ", address.text));
  }
  if (bind(s, address.get(), address.length) == 0) return FamilyState::kFree;
  const int error = WSAGetLastError();
  if (std::optional<FamilyState> state = BindErrorState(error)) return *state;
  return WindowsErrorToStatus(error, absl::StrCat("bind ", address.text));
}

// ListenSocket is ListenTcp's Windows body (it needs the helpers above).
absl::StatusOr<intptr_t> ListenSocket(const std::string& host, uint16_t port) {
  if (const int error = WinsockStartError(); error != 0) {
    return WindowsErrorToStatus(error, "WSAStartup 2.2");
  }
  absl::StatusOr<SocketAddress> address = ParseSocketAddress(host, port);
  if (!address.ok()) return address.status();
  SOCKET s = WSASocketW(address->family(), SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                        WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) {
    return WindowsErrorToStatus(WSAGetLastError(), "socket");
  }
  // Exclusive, so no other socket can bind over the server's port.
  const BOOL on = TRUE;
  setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
             reinterpret_cast<const char*>(&on), sizeof(on));
  if (bind(s, address->get(), address->length) != 0 ||
      listen(s, SOMAXCONN) != 0) {
    const int error = WSAGetLastError();
    closesocket(s);
    const absl::Status status = WindowsErrorToStatus(
        error, absl::StrCat("listen on ", host, " port ", port));
    return error == WSAEADDRINUSE
               ? absl::Status(absl::StatusCode::kUnavailable, status.message())
               : status;
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

const char* ExcludedPortReason() {
  return "reserved by Windows (an excluded port range: netsh int ipv4 show "
         "excludedportrange protocol=tcp)";
}

}  // namespace berth::platform
