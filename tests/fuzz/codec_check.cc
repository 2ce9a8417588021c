// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "tests/fuzz/codec_check.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace berth::fuzz {

using registry::v1::Decode;
using registry::v1::Encode;
using registry::v1::RegistryData;

namespace {

// Only DataLoss may say that bytes do not decode.
std::string Refusal(const absl::Status& status, absl::string_view what) {
  if (status.code() == absl::StatusCode::kDataLoss) return "";
  return absl::StrCat(what, " failed with ", status.ToString(),
                      ", not DataLoss");
}

std::string CheckLease(absl::string_view bytes) {
  auto record = registry::DecodeLease(bytes);
  if (!record.ok()) return Refusal(record.status(), "DecodeLease");
  if (record->port == 0) return "decoded a lease of port 0";
  if (record->pid <= 0) return absl::StrCat("decoded lease pid ", record->pid);
  if (record->app.empty()) return "decoded a lease with an empty app";
  const std::string encoded = registry::EncodeLease(*record);
  auto again = registry::DecodeLease(encoded);
  if (!again.ok()) {
    return absl::StrCat("what EncodeLease wrote does not decode: ",
                        again.status().ToString());
  }
  if (!(*again == *record)) return "DecodeLease(EncodeLease(r)) differs";
  if (registry::EncodeLease(*again) != encoded) return "EncodeLease unstable";
  return "";
}

std::string CheckMemory(absl::string_view bytes) {
  auto memory = registry::DecodeMemory(bytes);
  if (!memory.ok()) return Refusal(memory.status(), "DecodeMemory");
  for (const registry::Remembered& r : memory->apps) {
    if (r.app.empty() || r.ports.empty()) return "decoded a bad remember line";
    for (uint16_t port : r.ports) {
      if (port == 0) return "decoded a remembered port 0";
    }
  }
  const std::string encoded = registry::EncodeMemory(*memory);
  auto again = registry::DecodeMemory(encoded);
  if (!again.ok()) {
    return absl::StrCat("what EncodeMemory wrote does not decode: ",
                        again.status().ToString());
  }
  if (again->apps != memory->apps ||
      again->unknown_lines != memory->unknown_lines) {
    return "DecodeMemory(EncodeMemory(m)) differs";
  }
  if (registry::EncodeMemory(*again) != encoded) return "EncodeMemory unstable";
  return "";
}

std::string CheckFormat1(absl::string_view bytes);

}  // namespace

std::string CheckCodec(absl::string_view bytes) {
  for (auto check : {CheckLease, CheckMemory, CheckFormat1}) {
    if (std::string wrong = check(bytes); !wrong.empty()) return wrong;
  }
  return "";
}

std::string SameData(const RegistryData& a, const RegistryData& b) {
  if (a.boot_id != b.boot_id) {
    return absl::StrCat("boot \"", a.boot_id, "\" became \"", b.boot_id, "\"");
  }
  if (a.entries.size() != b.entries.size()) {
    return absl::StrCat(a.entries.size(), " entries became ", b.entries.size());
  }
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const registry::v1::Record& x = a.entries[i];
    const registry::v1::Record& y = b.entries[i];
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

namespace {

std::string CheckFormat1(absl::string_view bytes) {
  auto data = Decode(bytes);
  if (!data.ok()) return Refusal(data.status(), "v1::Decode");
  std::set<uint16_t> ports;
  for (const registry::v1::Record& r : data->entries) {
    if (r.port == 0) return "decoded an entry with port 0";
    if (!ports.insert(r.port).second) {
      return absl::StrCat("decoded port ", r.port, " held twice");
    }
    if (r.pid <= 0) return absl::StrCat("decoded pid ", r.pid);
    if (r.app.empty()) return "decoded an entry with an empty app";
  }
  for (const registry::v1::LastPort& l : data->last) {
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

}  // namespace
}  // namespace berth::fuzz
