// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/listener.h on Windows, from the IP Helper API.
//
// GetExtendedTcpTable(TCP_TABLE_OWNER_PID_LISTENER) lists every listening
// socket with the PID that owns it, for AF_INET and for AF_INET6. The table
// can grow between the call that sizes the buffer and the one that fills it
// (ERROR_INSUFFICIENT_BUFFER), so the size is asked again a few times. Ports
// are in network byte order in the low 16 bits of dwLocalPort. The name is
// the executable's file name, read with PROCESS_QUERY_LIMITED_INFORMATION;
// it stays empty for processes that may not be opened (System, elevated
// services).

#include "platform/internal/win.h"
// The IP Helper and Winsock headers need windows.h first.
#include <iphlpapi.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/internal/address_text.h"
#include "platform/listener.h"

namespace berth::platform {
namespace {

// ProcessName returns the executable's file name of `pid` ("" when the
// process may not be opened or is gone: the name is informational only).
std::string ProcessName(DWORD pid) {
  internal::ScopedHandle process(
      OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  return process.valid() ? internal::ProcessImageName(process.get()) : "";
}

// LocalPort reads a table's port field: network byte order, low 16 bits.
uint16_t LocalPort(DWORD field) {
  return ntohs(static_cast<u_short>(field & 0xFFFF));
}

// ReadTable fills `buffer` with the listener table of `family` (AF_INET or
// AF_INET6). An IPv6 table on a host without IPv6 is reported as
// NotFound.
absl::Status ReadTable(ULONG family, std::vector<unsigned char>* buffer) {
  const char* name = family == AF_INET ? "AF_INET" : "AF_INET6";
  DWORD size = 0;
  DWORD result = ERROR_INSUFFICIENT_BUFFER;
  // Sockets opened between the sizing call and the filling one make the
  // table grow; a few rounds with some slack settle it.
  for (int attempt = 0; attempt < 8 && result == ERROR_INSUFFICIENT_BUFFER;
       ++attempt) {
    buffer->resize(size > 0 ? size + size / 4 : 4096);
    size = static_cast<DWORD>(buffer->size());
    result = GetExtendedTcpTable(buffer->data(), &size, FALSE, family,
                                 TCP_TABLE_OWNER_PID_LISTENER, 0);
  }
  switch (result) {
    case NO_ERROR:
      return absl::OkStatus();
    case ERROR_NOT_SUPPORTED:
      // The family is not installed: IPv6 on a host without it.
      return absl::NotFoundError(
          absl::StrCat("GetExtendedTcpTable ", name, ": not supported"));
    default:
      return absl::UnavailableError(
          absl::StrCat("GetExtendedTcpTable ", name, ": ",
                       internal::WindowsErrorText(result)));
  }
}

Listener MakeListener(AddressFamily family, std::string address, uint16_t port,
                      DWORD pid) {
  Listener listener;
  listener.family = family;
  listener.address = std::move(address);
  listener.port = port;
  // PID 0 is the System Idle Process, which holds no sockets: a 0 means the
  // owner is unknown (wine reports it so).
  if (pid != 0) {
    listener.pid = static_cast<int64_t>(pid);
    listener.name = ProcessName(pid);
  }
  return listener;
}

}  // namespace

absl::StatusOr<std::vector<Listener>> FindListeners(uint16_t port) {
  if (port == 0) return absl::InvalidArgumentError("port must not be 0");
  std::vector<Listener> listeners;
  std::vector<unsigned char> buffer;

  absl::Status status = ReadTable(AF_INET, &buffer);
  if (!status.ok()) return status;
  const auto* table4 =
      reinterpret_cast<const MIB_TCPTABLE_OWNER_PID*>(buffer.data());
  for (DWORD i = 0; i < table4->dwNumEntries; ++i) {
    const MIB_TCPROW_OWNER_PID& row = table4->table[i];
    if (row.dwState != MIB_TCP_STATE_LISTEN ||
        LocalPort(row.dwLocalPort) != port) {
      continue;
    }
    // dwLocalAddr is in network byte order: its bytes are the address.
    std::array<uint8_t, 4> address;
    std::memcpy(address.data(), &row.dwLocalAddr, address.size());
    listeners.push_back(MakeListener(AddressFamily::kIPv4,
                                     internal::IPv4Text(address), port,
                                     row.dwOwningPid));
  }

  status = ReadTable(AF_INET6, &buffer);
  if (absl::IsNotFound(status)) return listeners;  // no IPv6 here
  if (!status.ok()) return status;
  const auto* table6 =
      reinterpret_cast<const MIB_TCP6TABLE_OWNER_PID*>(buffer.data());
  for (DWORD i = 0; i < table6->dwNumEntries; ++i) {
    const MIB_TCP6ROW_OWNER_PID& row = table6->table[i];
    if (row.dwState != MIB_TCP_STATE_LISTEN ||
        LocalPort(row.dwLocalPort) != port) {
      continue;
    }
    std::array<uint8_t, 16> address;
    std::memcpy(address.data(), row.ucLocalAddr, address.size());
    listeners.push_back(MakeListener(AddressFamily::kIPv6,
                                     internal::IPv6Text(address), port,
                                     row.dwOwningPid));
  }
  return listeners;
}

}  // namespace berth::platform
