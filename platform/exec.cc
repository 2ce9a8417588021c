// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The OS-independent part of platform/exec.h: the pure helpers.

#include "platform/exec.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"

namespace berth::platform {

std::string WindowsCommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line.push_back(' ');
    if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos) {
      line += arg;
      continue;
    }
    line.push_back('"');
    size_t backslashes = 0;
    for (char c : arg) {
      if (c == '\\') {
        ++backslashes;
        continue;
      }
      // Backslashes before a quote are doubled, and the quote escaped.
      line.append(c == '"' ? 2 * backslashes + 1 : backslashes, '\\');
      backslashes = 0;
      line.push_back(c);
    }
    line.append(2 * backslashes, '\\');  // before the closing quote
    line.push_back('"');
  }
  return line;
}

int ExitStatusForExecError(const absl::Status& status) {
  return absl::IsNotFound(status) ? 127 : 126;
}

std::string ListenFdNames(const std::vector<std::string>& names) {
  std::vector<std::string> clean;
  clean.reserve(names.size());
  for (const std::string& name : names) {
    std::string one;
    for (char c : name.substr(0, 255)) {
      const auto u = static_cast<unsigned char>(c);
      one.push_back(u > 0x20 && u < 0x7f && c != ':' ? c : '_');
    }
    clean.push_back(one.empty() ? "unknown" : one);
  }
  return absl::StrJoin(clean, ":");
}

}  // namespace berth::platform
