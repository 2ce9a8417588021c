// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// registry/codec.h: the registry's file formats. Pure: bytes in, values
// out, and back. Every format is line-based text, versioned by its first
// line, closed by an "end" line (a file cut short anywhere does not
// decode); every line ends in "\n". Unknown fields and lines are kept and
// written back, so a newer berth's additions survive an older one's
// rewrite. APP and SCOPE values are percent-encoded: '%', '=', space, and
// bytes below 0x21 or 0x7f become %XX.
//
// The lease record, the contents of leases/PORT.lock (format 2): who holds
// PORT. Written by the holder while it holds the file's lock.
//
//   berth-lease 2
//   port 8825
//   app web
//   scope /home/ada/src/shop      (absent: the global scope)
//   pid 4242
//   start 1234567                 (the raw OS start token; absent: unread)
//   unique 99881                  (the OS's unique process id; absent: none)
//   pidns 4026531836              (the PID namespace; 0: the OS has none,
//                                  or the holder could not tell which
//                                  (then no PID of it is ever compared on
//                                  Linux); absent: not recorded, format 1)
//   boot 9f0c6a2e-51b4-4c8e-a7d3-3b8e2c6f1d20
//   since 1764180000              (unix seconds)
//   hold lock                     (see Hold)
//   end
//
// The memory, the file `registry` (format 2): the ports each app of each
// scope held before, most recent first, so it gets them back.
//
//   berth-registry 2
//   remember - web 8825 8830      (scope "-": global)
//   remember /home/ada/src/shop web 8826
//   end
//
// Format 1 (berth 0.1) kept every entry in `registry`; v1::Decode reads it
// so that it can be converted.

#ifndef BERTH_REGISTRY_CODEC_H_
#define BERTH_REGISTRY_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::registry {

inline constexpr int kFormatVersion = 2;

// Hold says what keeps a lease record true.
enum class Hold {
  // The holder keeps the lease lock, and the OS keeps it held for as long
  // as the holder lives (Linux: held past close): a free lock means the
  // holder let go or is gone.
  kLock,
  // The holder keeps the lease lock, but may drop it while it lives (a
  // server started by exec may close inherited files; macOS and Windows
  // cannot hold a lock past close): a free lock is checked against the
  // holder's PID and start token.
  kLockOrPid,
  // No lock: the entry lasts as long as the process with this PID and start
  // token (berth get's reservations).
  kPid,
};

// HoldName returns "lock", "lock+pid" or "pid".
const char* HoldName(Hold hold);

// LeaseRecord is one lease file's contents.
struct LeaseRecord {
  uint16_t port = 0;
  std::string app;
  std::string scope;  // "" is the global scope
  int64_t pid = 0;
  std::optional<uint64_t> start;          // absent: could not be read
  uint64_t unique_id = 0;                 // 0: none
  std::optional<uint64_t> pid_namespace;  // absent: not recorded
  std::string boot_id;                    // "": unknown
  int64_t since = 0;
  Hold hold = Hold::kPid;
  // Fields this version does not know: (key, raw value), in file order.
  std::vector<std::pair<std::string, std::string>> extra;

  friend bool operator==(const LeaseRecord& a, const LeaseRecord& b);
};

// kMaxLeaseRecordBytes bounds a lease record: what EncodeLease writes for
// the longest app (200 bytes) and scope (1024 bytes) fits with room to
// spare, and readers refuse anything longer.
inline constexpr int64_t kMaxLeaseRecordBytes = 16 * 1024;

// DecodeLease parses a lease record. DataLoss with the line and what is
// wrong when it does not decode. Never crashes or loops; linear in size.
absl::StatusOr<LeaseRecord> DecodeLease(absl::string_view bytes);

// EncodeLease writes `record`. DecodeLease(EncodeLease(r)) == r for every r
// with valid fields (port 1-65535, pid > 0, non-empty app, scope empty or
// not "-", extra keys of [a-z0-9_-], extra values without control bytes,
// boot id without whitespace).
std::string EncodeLease(const LeaseRecord& record);

// Remembered is one `remember` line.
struct Remembered {
  std::string scope;  // "" is the global scope
  std::string app;
  std::vector<uint16_t> ports;  // most recent first; at least one

  friend bool operator==(const Remembered& a, const Remembered& b) {
    return a.scope == b.scope && a.app == b.app && a.ports == b.ports;
  }
};

// Memory is the whole `registry` file.
struct Memory {
  std::vector<Remembered> apps;  // oldest first
  // Lines of kinds this version does not know, verbatim without "\n".
  std::vector<std::string> unknown_lines;
};

// kMaxMemoryBytes bounds the memory file. The registry never writes one
// larger than kMemoryBudgetBytes (it forgets the oldest apps first), and
// readers accept up to kMaxMemoryBytes.
inline constexpr int64_t kMemoryBudgetBytes = 256 * 1024;
inline constexpr int64_t kMaxMemoryBytes = 1024 * 1024;

// DecodeMemory parses a memory file; an empty file is an empty memory.
absl::StatusOr<Memory> DecodeMemory(absl::string_view bytes);

// EncodeMemory writes `memory`.
std::string EncodeMemory(const Memory& memory);

// EscapeApp and UnescapeApp are the percent-encoding above, for app names
// and scopes.
std::string EscapeApp(absl::string_view app);
absl::StatusOr<std::string> UnescapeApp(absl::string_view escaped);

// FormatVersionOf returns the format version named by the first line of a
// registry or lease file ("berth-registry 1" gives 1), or 0 when the file
// is empty or its first line names no version.
int FormatVersionOf(absl::string_view bytes);

namespace v1 {

// Format 1, one file for everything:
//   berth-registry 1
//   boot 9f0c6a2e-51b4-4c8e-a7d3-3b8e2c6f1d20
//   entry 8800 web pid=4242 start=1234567 since=1764180000 lease=1
//   last 8801 api
//   end

// Record is one `entry` line.
struct Record {
  uint16_t port = 0;
  std::string app;
  int64_t pid = 0;
  uint64_t start = 0;
  int64_t since = 0;
  bool lease = false;
  // Fields this version does not know: (key, raw value), in file order.
  std::vector<std::pair<std::string, std::string>> extra;
};

// LastPort is one `last` line.
struct LastPort {
  uint16_t port = 0;
  std::string app;
};

// RegistryData is a whole registry file.
struct RegistryData {
  std::string boot_id;
  std::vector<Record> entries;
  std::vector<LastPort> last;
  // Lines of kinds this version does not know, verbatim without "\n".
  std::vector<std::string> unknown_lines;
};

// Decode parses a format 1 registry file. DataLoss with the line number and
// what is wrong when it does not decode (garbage, truncation, wrong version,
// NUL bytes, a port held twice, ...). Never crashes or loops on any input;
// linear in the input size.
absl::StatusOr<RegistryData> Decode(absl::string_view bytes);

// Encode writes `data` in format 1 (for tests of the conversion). Decode(Encode(d)) == d for any d
// whose fields are valid (ports 1-65535, pids > 0, non-empty apps, extra keys
// of [a-z0-9_-], extra values without whitespace).
std::string Encode(const RegistryData& data);

}  // namespace v1
}  // namespace berth::registry

#endif  // BERTH_REGISTRY_CODEC_H_
