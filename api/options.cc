// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/options.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/internal/settings.h"

namespace berth {
namespace {

constexpr size_t kMaxAppBytes = 200;

}  // namespace

absl::Status ValidateAppName(absl::string_view app) {
  if (app.empty()) return absl::InvalidArgumentError("the app name is empty");
  if (app.size() > kMaxAppBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the app name is ", app.size(), " bytes long; at most ", kMaxAppBytes,
        " are allowed"));
  }
  for (unsigned char c : app) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "the app name holds a control character");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PortRange> ParseRange(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  uint32_t lo = 0, hi = 0;
  const auto digits = [](absl::string_view s) {
    if (s.empty() || s.size() > 5) return false;
    for (char c : s) {
      if (!absl::ascii_isdigit(c)) return false;
    }
    return true;
  };
  if (parts.size() != 2 || !digits(parts[0]) || !digits(parts[1]) ||
      !absl::SimpleAtoi(parts[0], &lo) || !absl::SimpleAtoi(parts[1], &hi) ||
      lo == 0 || hi > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid port range \"", absl::CHexEscape(text),
        "\": expected LO-HI, e.g. 8800-8999"));
  }
  const PortRange range{static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)};
  if (absl::Status s = allocator::ValidateRange(range); !s.ok()) return s;
  return range;
}

absl::StatusOr<std::string> ResolvedScope(const Options& options) {
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  return internal::ScopeOf(options.scope, ec ? std::string() : cwd.string());
}

}  // namespace berth
