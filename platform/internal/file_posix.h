// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/file_posix.h: the POSIX file helpers that differ between
// Linux and macOS, and the descriptor rule every POSIX file of platform/
// follows. Defined in file_posix.cc (MoveAboveStandardStreams) and in
// file_linux.cc / file_mac.cc (the rest).

#ifndef BERTH_PLATFORM_INTERNAL_FILE_POSIX_H_
#define BERTH_PLATFORM_INTERNAL_FILE_POSIX_H_

#include <string>

#include "absl/status/statusor.h"

namespace berth::platform::internal {

// MoveAboveStandardStreams returns `fd` when it is not 0, 1 or 2; otherwise
// a close-on-exec duplicate of it at 3 or above (closing `fd`), or -1 with
// errno. -1 in gives -1 out, errno untouched.
int MoveAboveStandardStreams(int fd);

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
