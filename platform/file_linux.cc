// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// UserStateDirectory for Linux: the XDG base directories.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "platform/file.h"
#include "platform/internal/home_directory.h"

namespace berth::platform {

absl::StatusOr<std::string> UserStateDirectory() {
  // XDG_RUNTIME_DIR is per user, private and cleared at boot, like the PIDs
  // recorded under it.
  if (std::optional<std::string> dir =
          internal::AbsoluteEnv("XDG_RUNTIME_DIR")) {
    return *dir;
  }
  if (std::optional<std::string> dir =
          internal::AbsoluteEnv("XDG_STATE_HOME")) {
    return *dir;
  }
  absl::StatusOr<std::string> home = internal::HomeDirectory();
  if (!home.ok()) return home.status();
  return JoinPath(*home, ".local/state");
}

}  // namespace berth::platform
