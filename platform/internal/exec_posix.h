// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/exec_posix.h: the part of exec_posix.cc that differs
// between Linux (exec_linux.cc) and macOS (exec_mac.cc).

#ifndef BERTH_PLATFORM_INTERNAL_EXEC_POSIX_H_
#define BERTH_PLATFORM_INTERNAL_EXEC_POSIX_H_

namespace berth::platform::internal {

// DieWithParent asks the OS to kill the calling (child) process with
// SIGKILL when its parent ends (Linux: PR_SET_PDEATHSIG). macOS has no such
// thing: there it does nothing. Async-signal-safe.
void DieWithParent();

}  // namespace berth::platform::internal

#endif  // BERTH_PLATFORM_INTERNAL_EXEC_POSIX_H_
