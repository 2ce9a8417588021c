// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/proc_net_tcp.h: a pure parser of Linux /proc/net/tcp and
// /proc/net/tcp6.
//
// The file is a header line ("  sl  local_address rem_address   st ...")
// and one row per socket:
//
//    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000
//       00000000  1000        0 51320 1 0000000000000000 100 0 0 10 0
//
// Fields are separated by runs of spaces (rows are padded with trailing
// spaces). Field 2 is the local address as hex words, each a 32-bit word
// printed as a number of the host's byte order (so 127.0.0.1 reads
// "0100007F" on a little-endian machine), then ':' and the port as four hex
// digits; IPv6 addresses are four such words. Field 4 is the TCP state
// (0A is LISTEN), field 10 the socket inode.
//
// Malformed input is rejected whole, not skipped: a row this parser cannot
// read might be a listener, and "nobody listens" would then be a wrong
// answer. Every row is checked (number, addresses, state, inode), not only
// LISTEN ones. Text with no lines at all is an empty table; a first line that
// is not the header is rejected (it is not this file).

#ifndef BERTH_PLATFORM_INTERNAL_PROC_NET_TCP_H_
#define BERTH_PLATFORM_INTERNAL_PROC_NET_TCP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::platform::internal {

// Which file the text comes from: it fixes the address width.
enum class ProcNetTcpFile { kTcp, kTcp6 };

// The byte order the kernel printed the address words in: the host's.
enum class WordOrder { kLittleEndian, kBigEndian };

// HostWordOrder returns this machine's byte order.
WordOrder HostWordOrder();

// ProcNetTcpListener is one LISTEN row.
struct ProcNetTcpListener {
  std::string address;  // "127.0.0.1", "::1", "::ffff:127.0.0.1", ...
  uint16_t port = 0;
  uint64_t inode = 0;  // 0 when the kernel shows none
};

// ParseProcNetTcpListeners returns the rows of `text` in LISTEN state (0A),
// in file order, with their addresses read as `file` and `order` say.
// InvalidArgument, naming the line, when the header or any row is
// malformed.
absl::StatusOr<std::vector<ProcNetTcpListener>> ParseProcNetTcpListeners(
    absl::string_view text, ProcNetTcpFile file,
    WordOrder order = HostWordOrder());

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_PROC_NET_TCP_H_
