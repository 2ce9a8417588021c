// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/internal/proc_stat.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace berth::platform::internal {
namespace {

// Fields after the name, counted from field 3 (the state) as index 0.
constexpr size_t kStateIndex = 0;        // field 3
constexpr size_t kPpidIndex = 1;         // field 4
constexpr size_t kFlagsIndex = 6;        // field 9
constexpr size_t kNumThreadsIndex = 17;  // field 20
constexpr size_t kStartTimeIndex = 19;   // field 22
constexpr size_t kExitSignalIndex = 35;  // field 38

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// ParseUnsigned accepts only plain decimal digits (SimpleAtoi alone would
// also take signs and surrounding spaces) and rejects values above `max`.
bool ParseUnsigned(absl::string_view s, uint64_t max, uint64_t* out) {
  uint64_t value = 0;
  if (!AllDigits(s) || !absl::SimpleAtoi(s, &value) || value > max) {
    return false;
  }
  *out = value;
  return true;
}

bool ParseInt64(absl::string_view s, int64_t* out) {
  uint64_t value = 0;
  if (!ParseUnsigned(s, std::numeric_limits<int64_t>::max(), &value)) {
    return false;
  }
  *out = static_cast<int64_t>(value);
  return true;
}

absl::Status Malformed(absl::string_view what, absl::string_view line) {
  constexpr size_t kMaxQuoted = 120;
  return absl::InvalidArgumentError(
      absl::StrCat("malformed /proc stat line (", what, "): \"",
                   absl::CHexEscape(line.substr(0, kMaxQuoted)),
                   line.size() > kMaxQuoted ? "...\"" : "\""));
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.empty()) return Malformed("empty", line);

  // "PID (NAME) S PPID ...": the PID ends at " (", the name at the last ')'.
  const size_t open = line.find(" (");
  const size_t close = line.rfind(')');
  if (open == absl::string_view::npos || close == absl::string_view::npos ||
      close < open + 2) {
    return Malformed("no \"PID (NAME)\"", line);
  }
  ProcStat stat;
  if (!ParseInt64(line.substr(0, open), &stat.pid) || stat.pid <= 0) {
    return Malformed("bad pid", line);
  }
  stat.name = std::string(line.substr(open + 2, close - open - 2));

  absl::string_view rest = line.substr(close + 1);
  if (rest.empty() || rest.front() != ' ') {
    return Malformed("no fields after the name", line);
  }
  rest.remove_prefix(1);
  const std::vector<absl::string_view> fields = absl::StrSplit(rest, ' ');
  if (fields.size() <= kExitSignalIndex) {
    return Malformed("truncated", line);
  }
  if (fields[kStateIndex].size() != 1 ||
      !absl::ascii_isalpha(
          static_cast<unsigned char>(fields[kStateIndex][0]))) {
    return Malformed("bad state", line);
  }
  stat.state = fields[kStateIndex][0];
  if (!ParseInt64(fields[kPpidIndex], &stat.ppid)) {
    return Malformed("bad ppid", line);
  }
  if (!ParseUnsigned(fields[kFlagsIndex], std::numeric_limits<uint64_t>::max(),
                     &stat.flags)) {
    return Malformed("bad flags", line);
  }
  if (!ParseInt64(fields[kNumThreadsIndex], &stat.num_threads)) {
    return Malformed("bad num_threads", line);
  }
  if (!ParseUnsigned(fields[kStartTimeIndex],
                     std::numeric_limits<uint64_t>::max(), &stat.start_ticks)) {
    return Malformed("bad starttime", line);
  }
  absl::string_view exit_signal = fields[kExitSignalIndex];
  const bool negative = absl::ConsumePrefix(&exit_signal, "-");
  if (!ParseInt64(exit_signal, &stat.exit_signal) || stat.exit_signal > 64) {
    return Malformed("bad exit_signal", line);
  }
  if (negative) stat.exit_signal = -stat.exit_signal;
  return stat;
}

absl::StatusOr<std::vector<int64_t>> ParseProcStatusNSpid(
    absl::string_view status) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, "NSpid:")) continue;
    std::vector<int64_t> pids;
    for (absl::string_view field :
         absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      int64_t pid = 0;
      if (!ParseInt64(field, &pid) || pid <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed /proc status NSpid line: \"",
                         absl::CHexEscape(line), "\""));
      }
      pids.push_back(pid);
    }
    if (pids.empty()) {
      return absl::InvalidArgumentError("empty /proc status NSpid line");
    }
    return pids;
  }
  return absl::InvalidArgumentError("no NSpid line in /proc status text");
}

}  // namespace berth::platform::internal
