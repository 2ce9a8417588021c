// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/run.h: start a server on ports of its own, race-free.
//
// Run acquires a port for each app, all at once (with leases), puts them in
// the server's environment (PORT and BERTH_PORT: the first app's; BERTH_APP;
// and NAME_PORT for every app, its name upper-cased with each character
// outside [A-Z0-9] made '_') and in its arguments ("{port}" becomes the
// first app's port, "{port:NAME}" that app's), and starts the server:
//   - where every caller can check this process's PID (POSIX, outside a PID
//     namespace of its own): berth execs the server in its own process. The
//     server keeps berth's PID and start token, so it is the registered
//     holder, and it inherits the lease locks: the kernel frees the ports
//     the moment the server dies, however it dies; and should the server
//     close the descriptors it inherited, its PID still vouches for it. No
//     wrapper process stays behind.
//   - inside a PID namespace (a container, bazel test's sandbox) and on
//     Windows: berth stays as the server's parent and holds the leases
//     itself, in a way no descriptor closing can undo; the server dies with
//     berth (Linux: PR_SET_PDEATHSIG; Windows: a job object), signals sent
//     to berth reach it, and berth passes its exit status on.
// With `socket`, berth binds and listens on each port itself and hands the
// listening sockets over as descriptors 3, 4, ... by systemd's socket
// activation protocol (POSIX), so nothing can take a port between
// allocation and the server's start.

#ifndef BERTH_API_RUN_H_
#define BERTH_API_RUN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/lease.h"
#include "api/options.h"

namespace berth {

struct RunOptions {
  Options options;
  bool socket = false;             // hand over listening sockets (POSIX)
  std::string host = "127.0.0.1";  // where the sockets listen
  // Called once the ports are held, just before the server starts (for
  // saying how they were chosen).
  std::function<void(const std::vector<Lease>&)> before_start;
};

// RunOutcome is what Run returns when it returns at all: when the program
// could not be started, or, where berth stays its parent, once it ends.
struct RunOutcome {
  int exit_code = 0;
  // Set when the program could not be started ("./srv: command not
  // found"); exit_code is then 127 (not found) or 126 (not executable).
  std::string start_error;
};

// Run runs `command` with ports for `apps` (see above). Errors are failures
// before the program could be tried (bad input, no free port, ...); no port
// is left held when the program did not start.
absl::StatusOr<RunOutcome> Run(const std::vector<std::string>& apps,
                               const std::vector<std::string>& command,
                               const RunOptions& options);

// PrepareProgram readies a command-line program that uses berth, first
// thing in its main(), and returns its arguments after its name in UTF-8
// (on Windows read from the UTF-16 command line: argv there is in the ANSI
// code page). On POSIX it opens /dev/null on whichever of descriptors 0, 1
// and 2 are closed, so that no file berth opens lands there and reaches a
// server as its stdin, stdout or stderr, and makes a write past the file
// size limit (ulimit -f) an error that is reported rather than a SIGXFSZ
// that kills the program halfway through replacing the registry. A
// library must not call it.
absl::StatusOr<std::vector<std::string>> PrepareProgram(int argc, char** argv);

// PortVariable returns the environment variable that carries `app`'s port:
// "web" -> "WEB_PORT", "my-api.v2" -> "MY_API_V2_PORT".
std::string PortVariable(absl::string_view app);

// SubstitutePorts returns `args` with "{port}" replaced by ports[0] and
// "{port:NAME}" by the port of app NAME. InvalidArgument for a
// "{port:NAME}" whose NAME is not one of `apps`.
absl::StatusOr<std::vector<std::string>> SubstitutePorts(
    const std::vector<std::string>& args, const std::vector<std::string>& apps,
    const std::vector<uint16_t>& ports);

}  // namespace berth

#endif  // BERTH_API_RUN_H_
