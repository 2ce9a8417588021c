// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "tests/fuzz/codec_check.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace berth::fuzz {

using registry::Decode;
using registry::Encode;
using registry::RegistryData;

std::string SameData(const RegistryData& a, const RegistryData& b) {
  if (a.boot_id != b.boot_id) {
    return absl::StrCat("boot \"", a.boot_id, "\" became \"", b.boot_id, "\"");
  }
  if (a.entries.size() != b.entries.size()) {
    return absl::StrCat(a.entries.size(), " entries became ", b.entries.size());
  }
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const registry::Record& x = a.entries[i];
    const registry::Record& y = b.entries[i];
    if (x.port != y.port || x.app != y.app || x.pid != y.pid ||
        x.start != y.start || x.since != y.since || x.lease != y.lease ||
        x.extra != y.extra) {
      return absl::StrCat("entry ", i, " (port ", x.port, ") changed");
    }
  }
  if (a.last.size() != b.last.size()) {
    return absl::StrCat(a.last.size(), " last lines became ", b.last.size());
  }
  for (size_t i = 0; i < a.last.size(); ++i) {
    if (a.last[i].port != b.last[i].port || a.last[i].app != b.last[i].app) {
      return absl::StrCat("last line ", i, " changed");
    }
  }
  if (a.unknown_lines != b.unknown_lines) return "unknown lines changed";
  return "";
}

std::string CheckCodec(absl::string_view bytes) {
  auto data = Decode(bytes);
  if (!data.ok()) {
    if (data.status().code() != absl::StatusCode::kDataLoss) {
      return absl::StrCat("Decode failed with ", data.status().ToString(),
                          ", not DataLoss");
    }
    return "";
  }
  std::set<uint16_t> ports;
  for (const registry::Record& r : data->entries) {
    if (r.port == 0) return "decoded an entry with port 0";
    if (!ports.insert(r.port).second) {
      return absl::StrCat("decoded port ", r.port, " held twice");
    }
    if (r.pid <= 0) return absl::StrCat("decoded pid ", r.pid);
    if (r.app.empty()) return "decoded an entry with an empty app";
  }
  for (const registry::LastPort& l : data->last) {
    if (l.port == 0 || l.app.empty()) return "decoded a bad last line";
  }
  const std::string encoded = Encode(*data);
  auto again = Decode(encoded);
  if (!again.ok()) {
    return absl::StrCat("what Encode wrote does not decode: ",
                        again.status().ToString());
  }
  if (std::string diff = SameData(*data, *again); !diff.empty()) {
    return absl::StrCat("Decode(Encode(data)) differs from data: ", diff);
  }
  if (Encode(*again) != encoded) return "Encode is not stable";
  return "";
}

}  // namespace berth::fuzz
