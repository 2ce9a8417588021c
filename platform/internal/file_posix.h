// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/file_posix.h: the part of FileLock that differs between
// Linux and macOS, defined in file_linux.cc and file_mac.cc. What every
// POSIX file of platform/ shares is in internal/posix.h.

#ifndef BERTH_PLATFORM_INTERNAL_FILE_POSIX_H_
#define BERTH_PLATFORM_INTERNAL_FILE_POSIX_H_

#include <string>

#include "absl/status/statusor.h"

namespace berth::platform::internal {

// MapLockHold maps one page of the locked file `fd` (`path` for messages),
// never touched and not inherited by fork, so that the file's lock stays
// held while the mapping exists even if every descriptor of it is closed.
// Returns the mapping, or nullptr where the OS does not keep locks for
// mappings (macOS).
absl::StatusOr<void*> MapLockHold(int fd, const std::string& path);

// UnmapLockHold undoes MapLockHold.
void UnmapLockHold(void* mapping);

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_FILE_POSIX_H_
