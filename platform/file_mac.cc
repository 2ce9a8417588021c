// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/file.h for macOS: the per-user directory under /private/tmp. A
// flock there belongs to the open file, which a memory mapping does not keep
// open, so locks cannot be held past close.

#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "platform/file.h"
#include "platform/internal/file_posix.h"

namespace berth::platform {

absl::StatusOr<std::string> PerUserDirectory(absl::string_view name) {
  // /tmp is a symlink to /private/tmp; the real path is used so that no
  // part of it is a link. (macOS's periodic clean-up removes files there
  // that nobody touched for three days.)
  return absl::StrCat("/private/tmp/", name, "-", geteuid());
}

namespace internal {

absl::StatusOr<void*> MapLockHold(int, const std::string&) { return nullptr; }

void UnmapLockHold(void*) {}

}  // namespace internal
}  // namespace berth::platform
