// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/internal/proc_net_tcp.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "platform/internal/address_text.h"

namespace berth::platform::internal {
namespace {

// Row fields, counted from 0.
constexpr size_t kLocalAddressField = 1;
constexpr size_t kRemoteAddressField = 2;
constexpr size_t kStateField = 3;
constexpr size_t kInodeField = 9;

constexpr uint32_t kListenState =
    0x0A;  // TCP_LISTEN in include/net/tcp_states.h

// ParseHex reads 1 to 8 hex digits and nothing else.
bool ParseHex(absl::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 8) return false;
  uint32_t value = 0;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!absl::ascii_isxdigit(u)) return false;
    const uint32_t digit =
        absl::ascii_isdigit(u)
            ? static_cast<uint32_t>(u - '0')
            : static_cast<uint32_t>(absl::ascii_tolower(u) - 'a' + 10);
    value = (value << 4) | digit;
  }
  *out = value;
  return true;
}

// ParseDecimal accepts plain decimal digits only (SimpleAtoi alone would also
// take a sign and surrounding spaces).
bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

// PutWord stores `word` as the `index`th four bytes of `bytes` the way it lay
// in the kernel's memory: that is the address in network byte order.
template <size_t N>
void PutWord(uint32_t word, WordOrder order, size_t index,
             std::array<uint8_t, N>* bytes) {
  for (size_t i = 0; i < 4; ++i) {
    const size_t shift = order == WordOrder::kLittleEndian ? 8 * i : 24 - 8 * i;
    (*bytes)[4 * index + i] = static_cast<uint8_t>(word >> shift);
  }
}

struct Endpoint {
  std::string address;
  uint16_t port = 0;
};

// ParseEndpoint reads "HEXADDR:PORT" with 8 (kTcp) or 32 (kTcp6) address
// digits and 4 port digits.
bool ParseEndpoint(absl::string_view field, ProcNetTcpFile file,
                   WordOrder order, Endpoint* out) {
  const size_t address_digits = file == ProcNetTcpFile::kTcp ? 8 : 32;
  if (field.size() != address_digits + 1 + 4 || field[address_digits] != ':') {
    return false;
  }
  uint32_t port = 0;
  if (!ParseHex(field.substr(address_digits + 1), &port)) return false;
  out->port = static_cast<uint16_t>(port);

  const absl::string_view hex = field.substr(0, address_digits);
  if (file == ProcNetTcpFile::kTcp) {
    uint32_t word = 0;
    if (!ParseHex(hex, &word)) return false;
    std::array<uint8_t, 4> bytes;
    PutWord(word, order, 0, &bytes);
    out->address = IPv4Text(bytes);
    return true;
  }
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < 4; ++i) {
    uint32_t word = 0;
    if (!ParseHex(hex.substr(8 * i, 8), &word)) return false;
    PutWord(word, order, i, &bytes);
  }
  out->address = IPv6Text(bytes);
  return true;
}

absl::Status Malformed(ProcNetTcpFile file, size_t line_number,
                       absl::string_view what, absl::string_view line) {
  constexpr size_t kMaxQuoted = 120;
  return absl::InvalidArgumentError(absl::StrCat(
      "malformed ",
      file == ProcNetTcpFile::kTcp ? "/proc/net/tcp" : "/proc/net/tcp6",
      " line ", line_number, " (", what, "): \"",
      absl::CHexEscape(line.substr(0, kMaxQuoted)),
      line.size() > kMaxQuoted ? "...\"" : "\""));
}

}  // namespace

WordOrder HostWordOrder() {
#if defined(ABSL_IS_BIG_ENDIAN)
  return WordOrder::kBigEndian;
#else
  return WordOrder::kLittleEndian;
#endif
}

absl::StatusOr<std::vector<ProcNetTcpListener>> ParseProcNetTcpListeners(
    absl::string_view text, ProcNetTcpFile file, WordOrder order) {
  std::vector<ProcNetTcpListener> listeners;
  bool seen_header = false;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.empty()) continue;  // the end of the text, or a blank line

    if (!seen_header) {
      if (fields[0] != "sl") {
        return Malformed(file, line_number, "not the header", line);
      }
      seen_header = true;
      continue;
    }

    if (fields.size() <= kInodeField) {
      return Malformed(file, line_number, "too few fields", line);
    }
    absl::string_view slot = fields[0];
    uint64_t unused_slot = 0;
    if (!absl::ConsumeSuffix(&slot, ":") || !ParseDecimal(slot, &unused_slot)) {
      return Malformed(file, line_number, "bad slot number", line);
    }
    Endpoint local;
    if (!ParseEndpoint(fields[kLocalAddressField], file, order, &local)) {
      return Malformed(file, line_number, "bad local address", line);
    }
    Endpoint remote;
    if (!ParseEndpoint(fields[kRemoteAddressField], file, order, &remote)) {
      return Malformed(file, line_number, "bad remote address", line);
    }
    uint32_t state = 0;
    if (fields[kStateField].size() != 2 ||
        !ParseHex(fields[kStateField], &state)) {
      return Malformed(file, line_number, "bad state", line);
    }
    uint64_t inode = 0;
    if (!ParseDecimal(fields[kInodeField], &inode)) {
      return Malformed(file, line_number, "bad inode", line);
    }
    if (state != kListenState) continue;
    listeners.push_back(
        ProcNetTcpListener{std::move(local.address), local.port, inode});
  }
  return listeners;
}

}  // namespace berth::platform::internal
