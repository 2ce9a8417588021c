// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The Linux part of platform/exec.h's child mode.

#include <signal.h>
#include <sys/prctl.h>

#include "platform/internal/exec_posix.h"

namespace berth::platform::internal {

void DieWithParent() { prctl(PR_SET_PDEATHSIG, SIGKILL); }

}  // namespace berth::platform::internal
