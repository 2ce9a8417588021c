// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/run.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "platform/exec.h"
#include "platform/port.h"

namespace berth {

std::vector<std::string> SubstitutePort(const std::vector<std::string>& args,
                                        uint16_t port) {
  const std::string number = absl::StrCat(port);
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const std::string& arg : args) {
    out.push_back(absl::StrReplaceAll(arg, {{"{port}", number}}));
  }
  return out;
}

absl::StatusOr<RunOutcome> Run(absl::string_view app,
                               const std::vector<std::string>& command,
                               const RunOptions& options) {
  if (command.empty() || command[0].empty()) {
    return absl::InvalidArgumentError("no command to run (put it after --)");
  }
#ifdef _WIN32
  if (options.socket) {
    return absl::InvalidArgumentError(
        "--socket is not available on Windows (no socket activation there)");
  }
#endif
  auto lease = Acquire(app, options.options);
  if (!lease.ok()) return lease.status();

  platform::ExecRequest request;
  request.argv = SubstitutePort(command, lease->port());
  const std::string port = absl::StrCat(lease->port());
  request.env = {{"PORT", port},
                 {"BERTH_PORT", port},
                 {"BERTH_APP", std::string(app)}};
  auto lock = lease->InheritAcrossExec();
  if (!lock.ok()) return lock.status();
  request.keep.push_back(*lock);

  RunOutcome outcome;
  absl::Status start;
#ifdef _WIN32
  auto code = platform::SpawnAndWait(request);
  if (code.ok()) {
    outcome.exit_code = *code;
    return outcome;  // the lease goes with `lease`
  }
  start = code.status();
#else
  if (options.socket) {
    auto sock = platform::ListenTcp(options.host, lease->port());
    if (!sock.ok()) return sock.status();
    request.listen_socket = *sock;
    request.listen_name = std::string(app);
  }
  start = platform::ReplaceProcess(request);  // returns only on failure
#endif
  if (absl::IsInvalidArgument(start)) return start;
  outcome.exit_code = platform::ExitStatusForExecError(start);
  outcome.start_error = std::string(start.message());
  return outcome;  // `lease` releases the port on the way out
}

}  // namespace berth
