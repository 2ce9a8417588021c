// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/home_directory.h: the POSIX home directory, shared by
// the per-OS UserStateDirectory (file_linux.cc, file_mac.cc); defined in
// file_posix.cc.

#ifndef BERTH_PLATFORM_INTERNAL_HOME_DIRECTORY_H_
#define BERTH_PLATFORM_INTERNAL_HOME_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace berth::platform::internal {

// AbsoluteEnv returns the value of environment variable `name` when it is an
// absolute path; nullopt when it is unset, empty or relative (the XDG base
// directory spec says relative values are to be ignored).
std::optional<std::string> AbsoluteEnv(const char* name);

// HomeDirectory returns $HOME when absolute, else the password database's
// home directory for the effective user. FailedPrecondition when neither
// gives an absolute path.
absl::StatusOr<std::string> HomeDirectory();

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_HOME_DIRECTORY_H_
