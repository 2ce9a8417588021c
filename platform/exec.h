// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/exec.h: start a program in place of, or under, this process.
//
// POSIX: ReplaceProcess execs the program in this process (execvp): it keeps
// this process's PID, start time and the descriptors marked inheritable, and
// nothing of the caller stays behind. With a listening socket it follows
// systemd's socket activation protocol: the socket becomes descriptor 3, and
// LISTEN_FDS=1, LISTEN_PID=<pid>, LISTEN_FDNAMES=<name> are set.
//
// Windows has no exec: SpawnAndWait starts the program as a child in a job
// object that kills it when this process ends, waits for it, and returns its
// exit code.
//
// Errors: NotFound when the program does not exist (a shell says 127),
// PermissionDenied or FailedPrecondition when it cannot be executed (126).

#ifndef BERTH_PLATFORM_EXEC_H_
#define BERTH_PLATFORM_EXEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth::platform {

struct ExecRequest {
  // argv[0] is looked up on PATH when it has no directory part.
  std::vector<std::string> argv;
  // Set in the program's environment (on top of this process's).
  std::vector<std::pair<std::string, std::string>> env;
  // A listening socket to hand over as descriptor 3 (POSIX only), and the
  // name for LISTEN_FDNAMES.
  std::optional<intptr_t> listen_socket;
  std::string listen_name;
  // Inheritable descriptors that must survive (e.g. a lease lock); moved off
  // descriptor 3 when the socket needs it.
  std::vector<intptr_t> keep;
};

// ReplaceProcess execs `request` in this process. Returns only on failure.
// Unimplemented on Windows.
absl::Status ReplaceProcess(const ExecRequest& request);

// SpawnAndWait runs `request` as a child, waits, and returns its exit
// status. Windows only (Unimplemented elsewhere: use ReplaceProcess).
absl::StatusOr<int> SpawnAndWait(const ExecRequest& request);

// ExitStatusForExecError maps a ReplaceProcess/SpawnAndWait error to the
// status a shell would give: 127 not found, 126 not executable.
int ExitStatusForExecError(const absl::Status& status);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_EXEC_H_
