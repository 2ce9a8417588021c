// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth run APP... [OPTIONS] -- CMD [ARGS...]

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/run.h"
#include "cli/handlers.h"

namespace berth::cli {

int RunCommand(Invocation& call) {
  const Args& args = call.args();
  if (!args.command.has_value() || args.command->empty()) {
    return call.Usage(
        "give the command after -- (berth run APP -- CMD ARGS...)");
  }
  auto common = call.CommonOptions();
  if (!common.ok()) return call.Fail(common.status());
  RunOptions options;
  options.options = *common;
  if (auto p = args.Get("port")) {
    auto port = ParsePort(*p);
    if (!port.ok()) return call.Fail(port.status());
    options.options.port = *port;
  }
  if (auto r = args.Get("range")) {
    auto range = ParseRange(*r);
    if (!range.ok()) return call.Fail(range.status());
    options.options.range = *range;
  }
  options.socket = args.Has("socket");
  if (auto host = args.Get("host")) {
    if (!options.socket) return call.Usage("--host only goes with --socket");
    options.host = *host;
  }
  // Anything buffered must reach its file before exec replaces this
  // process.
  call.FlushOutput();
  std::cout.flush();
  std::cerr.flush();
  if (options.options.port) {
    const uint16_t wanted = *options.options.port;
    options.before_start = [&call, wanted](const std::vector<Lease>& leases) {
      if (leases[0].port() != wanted) call.Note(leases[0].reason());
    };
  }
  auto outcome = Run(args.positional, *args.command, options);
  if (!outcome.ok()) return call.Fail(outcome.status());
  if (!outcome->start_error.empty()) call.Note(outcome->start_error);
  return outcome->exit_code;
}

}  // namespace berth::cli
