// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/run.h: start a server on a port of its own, race-free.
//
// Run acquires a port for an app (with a lease), puts it in the server's
// environment (PORT, BERTH_PORT, BERTH_APP) and in its arguments (every
// "{port}" becomes the number), and starts the server:
//   - POSIX: berth execs the server in its own process. The server keeps
//     berth's PID and start token, so it is the registered owner, and it
//     inherits the lease lock: the kernel frees the port the moment the
//     server dies, however it dies. No wrapper process stays behind.
//   - Windows: the server runs as a child in a job object; berth waits,
//     passes its exit code on, and releases the port.
// With `socket`, berth binds and listens itself and hands the listening
// socket over as descriptor 3 by systemd's socket activation protocol, so
// nothing can take the port between allocation and the server's start.

#ifndef BERTH_API_RUN_H_
#define BERTH_API_RUN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/lease.h"

namespace berth {

struct RunOptions {
  Options options;
  bool socket = false;             // hand over a listening socket (POSIX)
  std::string host = "127.0.0.1";  // where the socket listens
};

// RunOutcome is what Run returns when it returns at all: on POSIX only when
// the program could not be started; on Windows also the program's exit.
struct RunOutcome {
  int exit_code = 0;
  // Set when the program could not be started ("./srv: command not
  // found"); exit_code is then 127 (not found) or 126 (not executable).
  std::string start_error;
};

// Run runs `command` with a port for `app` (see above). Errors are failures
// before the program could be tried (bad input, no free port, ...); the
// port is never left held when the program did not start.
absl::StatusOr<RunOutcome> Run(absl::string_view app,
                               const std::vector<std::string>& command,
                               const RunOptions& options);

// SubstitutePort returns `args` with every "{port}" replaced by `port`.
std::vector<std::string> SubstitutePort(const std::vector<std::string>& args,
                                        uint16_t port);

}  // namespace berth

#endif  // BERTH_API_RUN_H_
