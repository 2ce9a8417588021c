// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// registry/codec.h: the registry file format, version 1. Pure: bytes in,
// values out, and back.
//
//   berth-registry 1
//   boot 9f0c6a2e-51b4-4c8e-a7d3-3b8e2c6f1d20
//   entry 8800 web pid=4242 start=1234567 since=1764180000 lease=1
//   last 8801 api
//   end
//
// - The first line names the format and its version; a file with another
//   first line does not decode.
// - `boot` is the boot identity under which the entries' start tokens were
//   recorded.
// - `entry PORT APP FIELD=VALUE...`: one port held by one process. The known
//   fields are pid, start (the raw OS start token), since (unix seconds) and
//   lease (1 when the holder keeps a lock on leases/PORT.lock). Fields this
//   version does not know are kept, in order, and written back.
// - `last PORT APP`: the port an app held most recently, so it can get it
//   back after its entry is gone.
// - Lines of other kinds are kept verbatim and written back after the known
//   ones, so a newer berth's additions survive an older one's rewrite.
// - APP is percent-encoded: '%', '=', space, and bytes below 0x21 or 0x7f
//   become %XX.
// - `end` closes the file: a file cut short anywhere does not decode.
//
// Every line ends in "\n". An empty file (0 bytes) is an empty registry.

#ifndef BERTH_REGISTRY_CODEC_H_
#define BERTH_REGISTRY_CODEC_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::registry {

inline constexpr int kFormatVersion = 1;

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

// Decode parses a registry file. DataLoss with the line number and what is
// wrong when it does not decode (garbage, truncation, wrong version, NUL
// bytes, a port held twice, ...). Never crashes or loops on any input; linear
// in the input size.
absl::StatusOr<RegistryData> Decode(absl::string_view bytes);

// Encode writes `data` in the format above. Decode(Encode(d)) == d for any d
// whose fields are valid (ports 1-65535, pids > 0, non-empty apps, extra keys
// of [a-z0-9_-], extra values without whitespace).
std::string Encode(const RegistryData& data);

// EscapeApp and UnescapeApp are the APP encoding above.
std::string EscapeApp(absl::string_view app);
absl::StatusOr<std::string> UnescapeApp(absl::string_view escaped);

}  // namespace berth::registry

#endif  // BERTH_REGISTRY_CODEC_H_
