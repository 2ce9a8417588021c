// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/exec.h: start a program in place of, or under, this process;
// and read this program's own arguments as the user typed them
// (ProgramArguments).
//
// POSIX: ReplaceProcess execs the program in this process (execvp): it keeps
// this process's PID, start time and the descriptors marked inheritable, and
// nothing of the caller stays behind. Listening sockets follow systemd's
// socket activation protocol: they become descriptors 3, 4, ..., and
// LISTEN_FDS=N, LISTEN_PID=<pid>, LISTEN_FDNAMES=<name>:<name>... are set.
//
// SpawnAndWait runs the program as a child instead, waits for it and
// returns its exit status; the child cannot outlive this process (Linux:
// PR_SET_PDEATHSIG; Windows: a job object that kills it when this process
// ends; elsewhere it may), and signals sent to this process (TERM, INT,
// HUP, QUIT, USR1, USR2, by kill, not from the terminal, which signals both
// already) are passed on to it. Windows has no exec: there this is the only
// way. Listening sockets are handed over on POSIX only.
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
  // Listening sockets to hand over as descriptors 3, 4, ... (POSIX only),
  // and their names for LISTEN_FDNAMES (one each).
  std::vector<intptr_t> listen_sockets;
  std::vector<std::string> listen_names;
  // Inheritable descriptors that must survive (e.g. a lease lock); moved off
  // descriptors 3.. when the sockets need them.
  std::vector<intptr_t> keep;
};

// CanReplaceProcess says whether ReplaceProcess works on this OS (POSIX).
bool CanReplaceProcess();

// CanHandOverSockets says whether listening sockets can be handed over
// (POSIX).
bool CanHandOverSockets();

// ReplaceProcess execs `request` in this process. Returns only on failure.
// Unimplemented on Windows.
absl::Status ReplaceProcess(const ExecRequest& request);

// SpawnAndWait runs `request` as a child, waits, and returns its exit
// status (128 + N for a POSIX child killed by signal N, as shells say).
// Errors are failures to start it.
absl::StatusOr<int> SpawnAndWait(const ExecRequest& request);

// ListenFdNames joins socket names for LISTEN_FDNAMES: each made printable
// ASCII without ':' (other bytes become '_'), at most 255 bytes, never empty
// ("unknown"), as systemd requires of file descriptor names.
std::string ListenFdNames(const std::vector<std::string>& names);

// WindowsCommandLine joins `argv` into the one command line a Windows
// program gets, quoted so that CommandLineToArgvW and the C runtime split
// it back into the same arguments: an argument with a blank or a quote (or
// an empty one) goes in double quotes, where backslashes are doubled only
// before a quote and a quote is escaped with one. UTF-8 in and out (the
// rules involve ASCII only). Pure, so every OS tests it.
std::string WindowsCommandLine(const std::vector<std::string>& argv);

// ProgramArguments returns the arguments after the program's name that
// main() got in `argc` and `argv`, in UTF-8. On Windows argv is in the
// ANSI code page, which cannot hold most of what a user may type (an app
// or file name in another script becomes "?"), so they are read again from
// the UTF-16 command line (GetCommandLineW, CommandLineToArgvW);
// InvalidArgument when that is not valid UTF-16. Elsewhere: argv as given.
absl::StatusOr<std::vector<std::string>> ProgramArguments(int argc,
                                                          char** argv);

// ExitStatusForExecError maps a ReplaceProcess/SpawnAndWait error to the
// status a shell would give: 127 not found, 126 not executable.
int ExitStatusForExecError(const absl::Status& status);

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_EXEC_H_
