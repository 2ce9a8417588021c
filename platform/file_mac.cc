// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// UserStateDirectory for macOS: ~/Library/Application Support.

#include <string>

#include "absl/status/statusor.h"
#include "platform/file.h"
#include "platform/internal/home_directory.h"

namespace berth::platform {

absl::StatusOr<std::string> UserStateDirectory() {
  absl::StatusOr<std::string> home = internal::HomeDirectory();
  if (!home.ok()) return home.status();
  return JoinPath(*home, "Library/Application Support");
}

}  // namespace berth::platform
