// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/testing/pid_namespace.h (Linux, tests only): run code as init of
// a fresh PID namespace with its own /proc, where PIDs are small and can be
// chosen through /proc/sys/kernel/ns_last_pid. Used to stage PID reuse.

#ifndef BERTH_PLATFORM_TESTING_PID_NAMESPACE_H_
#define BERTH_PLATFORM_TESTING_PID_NAMESPACE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::platform::testing {

// WriteAll writes `text` to `fd`, ignoring errors (the reader reports a
// short message).
void WriteAll(int fd, const std::string& text);

// RunInNewPidNamespace runs `body` as init (PID 1) of a new PID namespace,
// in a new mount namespace whose /proc is mounted for it (with
// `proc_options`), and returns what `body` returned. `skipped` receives the
// reason when namespaces are not permitted here. The namespace, with all
// processes `body` left, is gone when this returns.
absl::StatusOr<std::string> RunInNewPidNamespace(
    const char* proc_options, const std::function<std::string()>& body,
    std::string* skipped);

// SetNextPid makes the next process this PID namespace starts get PID
// `want` (unless another process starts first), by writing want-1 to
// /proc/sys/kernel/ns_last_pid: only inside a PID namespace of the test's
// own. Unimplemented where the kernel has no ns_last_pid
// (CONFIG_CHECKPOINT_RESTORE off).
absl::Status SetNextPid(int64_t want);

// ForkWithPid forks a child that sleeps until killed, making it get PID
// `want` (SetNextPid). Returns the child's PID.
absl::StatusOr<int> ForkWithPid(int want);

}  // namespace berth::platform::testing

#endif  // BERTH_PLATFORM_TESTING_PID_NAMESPACE_H_
