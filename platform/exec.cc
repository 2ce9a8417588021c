// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/exec.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"

namespace berth::platform {

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
