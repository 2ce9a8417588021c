// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth run APP [--port P] [--range LO-HI] [--socket [--host H]] -- CMD ARGS...

#include <iostream>
#include <string>
#include <vector>

#include "api/run.h"
#include "cli/args.h"
#include "cli/commands.h"

namespace berth::cli {
namespace {

constexpr char kRunHelp[] =
    R"(Usage: berth run APP [--port P] [--range LO-HI] [--socket [--host H]] -- CMD ARGS...

Starts CMD on a port of its own: berth acquires a port for APP, then runs
CMD with PORT, BERTH_PORT and BERTH_APP set and every {port} in ARGS
replaced by the number:

  berth run web -- ./server --port {port}
  berth run docs -- python3 -m http.server {port} --bind 127.0.0.1

berth replaces itself with CMD (exec), so the server keeps berth's PID, is
the registered holder, and inherits the port's lease lock: the port is free
again the moment the server exits, however it exits. No berth process stays
behind. The exit status is the server's; 127 when CMD is not found, 126
when it cannot be executed (the port is released then).

  --port P        ask for port P first
  --range LO-HI   choose from this range (default $BERTH_RANGE or 8800-8999)
  --socket        bind and listen on the port here and hand the listening
                  socket to CMD as descriptor 3 (systemd socket activation:
                  LISTEN_FDS=1, LISTEN_PID, LISTEN_FDNAMES=APP): no race at
                  all between choosing the port and serving on it
  --host H        the address --socket listens on (default 127.0.0.1)
  --registry DIR  use the registry in DIR (default $BERTH_HOME)
)";

}  // namespace

int RunCommand(const std::vector<std::string>& argv, std::ostream& out,
               std::ostream& err) {
  static constexpr FlagSpec kFlags[] = {
      {"port", true},  {"range", true},    {"socket", false},
      {"host", true},  {"registry", true}, {"help", false}};
  auto args = ParseArgs(argv, kFlags, /*stop_at_dashdash=*/true);
  if (!args.ok()) {
    err << "berth: run: " << args.status().message() << "\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    out << kRunHelp;
    return kExitOk;
  }
  if (args->positional.empty()) {
    err << "berth: run: give one APP or more before -- (see berth run "
           "--help)\n";
    return kExitUsage;
  }
  if (!args->command.has_value() || args->command->empty()) {
    err << "berth: run: give the command after -- (berth run APP -- CMD "
           "ARGS...)\n";
    return kExitUsage;
  }
  RunOptions options;
  options.options.registry_dir = args->Get("registry");
  if (auto p = args->Get("port")) {
    auto port = ParsePort(*p);
    if (!port.ok()) {
      err << "berth: run: " << port.status().message() << "\n";
      return kExitUsage;
    }
    options.options.port = *port;
  }
  if (auto r = args->Get("range")) {
    auto range = ParseRange(*r);
    if (!range.ok()) {
      err << "berth: run: " << range.status().message() << "\n";
      return kExitUsage;
    }
    options.options.range = *range;
  }
  options.socket = args->Has("socket");
  if (auto host = args->Get("host")) {
    if (!options.socket) {
      err << "berth: run: --host only goes with --socket\n";
      return kExitUsage;
    }
    options.host = *host;
  }
  // Anything buffered must reach the terminal before exec replaces us.
  out.flush();
  err.flush();
  std::cout.flush();
  if (options.options.port) {
    options.before_start = [&](const std::vector<Lease>& leases) {
      if (leases[0].port() != *options.options.port) {
        err << "berth: run: " << leases[0].reason() << "\n";
        err.flush();
      }
    };
  }
  auto outcome = Run(args->positional, *args->command, options);
  if (!outcome.ok()) {
    err << "berth: run: " << outcome.status().message() << "\n";
    return absl::IsInvalidArgument(outcome.status()) ? kExitUsage
                                                      : kExitFailure;
  }
  if (!outcome->start_error.empty()) {
    err << "berth: run: " << outcome->start_error << "\n";
  }
  return outcome->exit_code;
}

}  // namespace berth::cli
