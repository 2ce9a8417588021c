// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The macOS part of platform/exec.h's child mode: macOS cannot tie a
// child's life to its parent's (berth run execs there, so it never needs
// to).

#include "platform/internal/exec_posix.h"

namespace berth::platform::internal {

void DieWithParent() {}

}  // namespace berth::platform::internal
