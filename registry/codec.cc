// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "registry/codec.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace berth::registry {
namespace {

constexpr absl::string_view kRegistryMagic = "berth-registry";
constexpr absl::string_view kLeaseMagic = "berth-lease";

bool NeedsEscape(unsigned char c) {
  return c == '%' || c == '=' || c <= 0x20 || c == 0x7f;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ValidKey(absl::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

absl::Status LineError(int line, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("line ", line, ": ", what));
}

// Digits is true for a non-empty run of ASCII digits (SimpleAtoi alone would
// also take signs and spaces).
bool Digits(absl::string_view text) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

template <typename T>
bool ParseNumber(absl::string_view text, T* out) {
  return Digits(text) && absl::SimpleAtoi(text, out);
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  uint32_t port = 0;
  if (!ParseNumber(text, &port) || port == 0 || port > 65535) {
    return absl::DataLossError(absl::StrCat("bad port \"", text, "\""));
  }
  return static_cast<uint16_t>(port);
}

// ParseEntry decodes the fields after "entry" (format 1).
absl::StatusOr<v1::Record> ParseEntry(const std::vector<absl::string_view>& f) {
  if (f.size() < 3) return absl::DataLossError("entry needs PORT and APP");
  v1::Record r;
  auto port = ParsePort(f[1]);
  if (!port.ok()) return port.status();
  r.port = *port;
  auto app = UnescapeApp(f[2]);
  if (!app.ok()) return app.status();
  r.app = *std::move(app);
  bool have_pid = false;
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 3; i < f.size(); ++i) {
    const size_t eq = f[i].find('=');
    if (eq == absl::string_view::npos) {
      return absl::DataLossError(absl::StrCat("field \"", f[i], "\" has no ="));
    }
    const absl::string_view key = f[i].substr(0, eq);
    const absl::string_view value = f[i].substr(eq + 1);
    if (!ValidKey(key)) {
      return absl::DataLossError(absl::StrCat("bad field name \"", key, "\""));
    }
    if (!seen.insert(key).second) {
      return absl::DataLossError(absl::StrCat("field ", key, " given twice"));
    }
    bool ok = true;
    if (key == "pid") {
      ok = ParseNumber(value, &r.pid) && r.pid > 0;
      have_pid = true;
    } else if (key == "start") {
      ok = ParseNumber(value, &r.start);
    } else if (key == "since") {
      ok = ParseNumber(value, &r.since);
    } else if (key == "lease") {
      ok = value == "0" || value == "1";
      r.lease = value == "1";
    } else {
      r.extra.emplace_back(std::string(key), std::string(value));
    }
    if (!ok) {
      return absl::DataLossError(
          absl::StrCat("bad value for ", key, ": \"", value, "\""));
    }
  }
  if (!have_pid) return absl::DataLossError("entry without pid");
  return r;
}

}  // namespace

std::string EscapeApp(absl::string_view app) {
  std::string out;
  out.reserve(app.size());
  for (unsigned char c : app) {
    if (NeedsEscape(c)) {
      absl::StrAppendFormat(&out, "%%%02X", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

absl::StatusOr<std::string> UnescapeApp(absl::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    if (c != '%') {
      if (NeedsEscape(static_cast<unsigned char>(c))) {
        return absl::DataLossError("app name holds an unescaped byte");
      }
      out.push_back(c);
      continue;
    }
    if (i + 2 >= escaped.size()) {
      return absl::DataLossError("app name ends inside a %XX escape");
    }
    const int hi = HexValue(escaped[i + 1]);
    const int lo = HexValue(escaped[i + 2]);
    if (hi < 0 || lo < 0) {
      return absl::DataLossError("app name has a bad %XX escape");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (out.empty()) return absl::DataLossError("empty app name");
  return out;
}

const char* HoldName(Hold hold) {
  switch (hold) {
    case Hold::kLock:
      return "lock";
    case Hold::kLockOrPid:
      return "lock+pid";
    case Hold::kPid:
      break;
  }
  return "pid";
}

bool operator==(const LeaseRecord& a, const LeaseRecord& b) {
  return a.port == b.port && a.app == b.app && a.scope == b.scope &&
         a.pid == b.pid && a.start == b.start && a.unique_id == b.unique_id &&
         a.pid_namespace == b.pid_namespace && a.boot_id == b.boot_id &&
         a.since == b.since && a.hold == b.hold && a.extra == b.extra;
}

int FormatVersionOf(absl::string_view bytes) {
  const absl::string_view first = bytes.substr(0, bytes.find('\n'));
  const size_t space = first.rfind(' ');
  int version = 0;
  if (space == absl::string_view::npos ||
      !ParseNumber(first.substr(space + 1), &version)) {
    return 0;
  }
  const absl::string_view magic = first.substr(0, space);
  return magic == kRegistryMagic || magic == kLeaseMagic ? version : 0;
}

namespace {

// Lines splits a file into its lines after checking what every file of
// these formats must be: no NUL, ends in a newline, first line `magic`.
absl::StatusOr<std::vector<absl::string_view>> Lines(absl::string_view bytes,
                                                     absl::string_view magic) {
  if (bytes.find('\0') != absl::string_view::npos) {
    return absl::DataLossError("file holds NUL bytes");
  }
  if (bytes.empty() || bytes.back() != '\n') {
    return absl::DataLossError("file does not end in a newline: cut short");
  }
  bytes.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(bytes, '\n');
  if (lines[0] != magic) {
    return LineError(1, absl::StrCat("expected \"", magic, "\", found \"",
                                     absl::CHexEscape(lines[0].substr(0, 40)),
                                     "\""));
  }
  return lines;
}

// PlainValue accepts a value without control bytes or blanks at its ends.
bool PlainValue(absl::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return value.front() != ' ' && value.back() != ' ';
}

}  // namespace

absl::StatusOr<LeaseRecord> DecodeLease(absl::string_view bytes) {
  auto lines = Lines(bytes, absl::StrCat(kLeaseMagic, " ", kFormatVersion));
  if (!lines.ok()) return lines.status();
  LeaseRecord r;
  bool ended = false;
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 1; i < lines->size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    const absl::string_view line = (*lines)[i];
    if (ended) return LineError(n, "text after \"end\"");
    if (line == "end") {
      ended = true;
      continue;
    }
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos) {
      return LineError(n, "expected \"KEY VALUE\"");
    }
    const absl::string_view key = line.substr(0, space);
    const absl::string_view value = line.substr(space + 1);
    if (!ValidKey(key)) return LineError(n, "bad field name");
    if (!seen.insert(key).second) {
      return LineError(n, absl::StrCat("field ", key, " given twice"));
    }
    if (!PlainValue(value)) return LineError(n, "bad value");
    bool ok = true;
    if (key == "port") {
      auto port = ParsePort(value);
      ok = port.ok();
      if (ok) r.port = *port;
    } else if (key == "app" || key == "scope") {
      auto text = UnescapeApp(value);
      if (!text.ok()) return LineError(n, text.status().message());
      (key == "app" ? r.app : r.scope) = *std::move(text);
      ok = key == "app" || r.scope != "-";
    } else if (key == "pid") {
      ok = ParseNumber(value, &r.pid) && r.pid > 0;
    } else if (key == "start") {
      uint64_t start = 0;
      ok = ParseNumber(value, &start);
      r.start = start;
    } else if (key == "unique") {
      ok = ParseNumber(value, &r.unique_id);
    } else if (key == "pidns") {
      uint64_t ns = 0;
      ok = ParseNumber(value, &ns);
      r.pid_namespace = ns;
    } else if (key == "boot") {
      ok = value.find(' ') == absl::string_view::npos;
      r.boot_id = std::string(value);
    } else if (key == "since") {
      ok = ParseNumber(value, &r.since);
    } else if (key == "hold") {
      if (value == "lock") {
        r.hold = Hold::kLock;
      } else if (value == "lock+pid") {
        r.hold = Hold::kLockOrPid;
      } else if (value == "pid") {
        r.hold = Hold::kPid;
      } else {
        ok = false;
      }
    } else {
      r.extra.emplace_back(std::string(key), std::string(value));
    }
    if (!ok) {
      return LineError(n, absl::StrCat("bad value for ", key, ": \"",
                                       absl::CHexEscape(value.substr(0, 40)),
                                       "\""));
    }
  }
  if (!ended) return absl::DataLossError("no \"end\" line: cut short");
  for (absl::string_view required : {"port", "app", "pid", "since", "hold"}) {
    if (!seen.contains(required)) {
      return absl::DataLossError(absl::StrCat("no ", required, " field"));
    }
  }
  return r;
}

std::string EncodeLease(const LeaseRecord& r) {
  std::string out = absl::StrCat(kLeaseMagic, " ", kFormatVersion, "\nport ",
                                 r.port, "\napp ", EscapeApp(r.app), "\n");
  if (!r.scope.empty()) absl::StrAppend(&out, "scope ", EscapeApp(r.scope), "\n");
  absl::StrAppend(&out, "pid ", r.pid, "\n");
  if (r.start) absl::StrAppend(&out, "start ", *r.start, "\n");
  if (r.unique_id != 0) absl::StrAppend(&out, "unique ", r.unique_id, "\n");
  if (r.pid_namespace) absl::StrAppend(&out, "pidns ", *r.pid_namespace, "\n");
  if (!r.boot_id.empty()) absl::StrAppend(&out, "boot ", r.boot_id, "\n");
  absl::StrAppend(&out, "since ", r.since, "\nhold ", HoldName(r.hold), "\n");
  for (const auto& [key, value] : r.extra) {
    absl::StrAppend(&out, key, " ", value, "\n");
  }
  out.append("end\n");
  return out;
}

absl::StatusOr<Memory> DecodeMemory(absl::string_view bytes) {
  Memory memory;
  if (bytes.empty()) return memory;
  auto lines = Lines(bytes, absl::StrCat(kRegistryMagic, " ", kFormatVersion));
  if (!lines.ok()) return lines.status();
  bool ended = false;
  for (size_t i = 1; i < lines->size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    const absl::string_view line = (*lines)[i];
    if (ended) return LineError(n, "text after \"end\"");
    const std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f[0] == "end" && f.size() == 1) {
      ended = true;
    } else if (f[0] == "remember") {
      if (f.size() < 4) return LineError(n, "remember needs SCOPE APP PORT...");
      Remembered r;
      if (f[1] != "-") {
        auto scope = UnescapeApp(f[1]);
        if (!scope.ok()) return LineError(n, scope.status().message());
        r.scope = *std::move(scope);
      }
      auto app = UnescapeApp(f[2]);
      if (!app.ok()) return LineError(n, app.status().message());
      r.app = *std::move(app);
      for (size_t k = 3; k < f.size(); ++k) {
        auto port = ParsePort(f[k]);
        if (!port.ok()) return LineError(n, port.status().message());
        r.ports.push_back(*port);
      }
      memory.apps.push_back(std::move(r));
    } else if (ValidKey(f[0]) && PlainValue(line)) {
      memory.unknown_lines.emplace_back(line);
    } else {
      return LineError(n, "not a registry line");
    }
  }
  if (!ended) return absl::DataLossError("no \"end\" line: cut short");
  return memory;
}

std::string EncodeMemory(const Memory& memory) {
  std::string out = absl::StrCat(kRegistryMagic, " ", kFormatVersion, "\n");
  for (const Remembered& r : memory.apps) {
    absl::StrAppend(&out, "remember ",
                    r.scope.empty() ? "-" : EscapeApp(r.scope), " ",
                    EscapeApp(r.app));
    for (uint16_t port : r.ports) absl::StrAppend(&out, " ", port);
    out.push_back('\n');
  }
  for (const std::string& line : memory.unknown_lines) {
    absl::StrAppend(&out, line, "\n");
  }
  out.append("end\n");
  return out;
}

namespace v1 {

absl::StatusOr<RegistryData> Decode(absl::string_view bytes) {
  RegistryData data;
  if (bytes.empty()) return data;
  if (bytes.find('\0') != absl::string_view::npos) {
    return absl::DataLossError("file holds NUL bytes: not a registry");
  }
  if (bytes.back() != '\n') {
    return absl::DataLossError("file does not end in a newline: cut short");
  }
  bytes.remove_suffix(1);
  const std::vector<absl::string_view> lines = absl::StrSplit(bytes, '\n');
  const std::string magic = absl::StrCat(kRegistryMagic, " 1");
  if (lines[0] != magic) {
    return LineError(1, absl::StrCat("expected \"", magic, "\", found \"",
                                     lines[0].substr(0, 40), "\""));
  }
  bool ended = false;
  bool have_boot = false;
  absl::flat_hash_set<uint16_t> ports;
  for (size_t i = 1; i < lines.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    const absl::string_view line = lines[i];
    if (ended) return LineError(n, "text after \"end\"");
    const std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.empty()) return LineError(n, "empty line");
    if (f[0] == "end") {
      if (f.size() != 1) return LineError(n, "\"end\" takes nothing");
      ended = true;
    } else if (f[0] == "boot") {
      if (f.size() != 2 || have_boot) return LineError(n, "bad boot line");
      data.boot_id = std::string(f[1]);
      have_boot = true;
    } else if (f[0] == "entry") {
      auto record = ParseEntry(f);
      if (!record.ok()) return LineError(n, record.status().message());
      if (!ports.insert(record->port).second) {
        return LineError(n, absl::StrCat("port ", record->port,
                                         " is held twice"));
      }
      data.entries.push_back(*std::move(record));
    } else if (f[0] == "last") {
      if (f.size() != 3) return LineError(n, "last needs PORT and APP");
      auto port = ParsePort(f[1]);
      if (!port.ok()) return LineError(n, port.status().message());
      auto app = UnescapeApp(f[2]);
      if (!app.ok()) return LineError(n, app.status().message());
      data.last.push_back({*port, *std::move(app)});
    } else if (ValidKey(f[0])) {
      for (char c : line) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
          return LineError(n, "control byte in line");
        }
      }
      data.unknown_lines.emplace_back(line);
    } else {
      return LineError(n, "not a registry line");
    }
  }
  if (!ended) return absl::DataLossError("no \"end\" line: cut short");
  return data;
}

std::string Encode(const RegistryData& data) {
  std::string out = absl::StrCat(kRegistryMagic, " 1\n");
  if (!data.boot_id.empty()) absl::StrAppend(&out, "boot ", data.boot_id, "\n");
  for (const Record& r : data.entries) {
    absl::StrAppend(&out, "entry ", r.port, " ", EscapeApp(r.app),
                    " pid=", r.pid, " start=", r.start, " since=", r.since,
                    " lease=", r.lease ? 1 : 0);
    for (const auto& [key, value] : r.extra) {
      absl::StrAppend(&out, " ", key, "=", value);
    }
    out.push_back('\n');
  }
  for (const LastPort& l : data.last) {
    absl::StrAppend(&out, "last ", l.port, " ", EscapeApp(l.app), "\n");
  }
  for (const std::string& line : data.unknown_lines) {
    absl::StrAppend(&out, line, "\n");
  }
  out.append("end\n");
  return out;
}


}  // namespace v1
}  // namespace berth::registry
