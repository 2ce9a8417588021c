// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/run.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "platform/exec.h"
#include "platform/file.h"
#include "platform/port.h"
#include "platform/process.h"

namespace berth {
namespace {

// ReplacesItself says whether berth execs the server here: only where every
// caller can check the server's PID should the PID vouch for its ports.
bool ReplacesItself() {
  if (!platform::CanReplaceProcess()) return false;
  auto ns = platform::SystemProcessInspector().SelfPidNamespace();
  return ns.ok() && platform::IsInitialPidNamespace(*ns);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> PrepareProgram(int argc, char** argv) {
  if (absl::Status s = platform::OpenNullOnClosedStandardStreams(); !s.ok()) {
    return s;
  }
  platform::ReportFileSizeLimitAsError();
  return platform::ProgramArguments(argc, argv);
}

std::string PortVariable(absl::string_view app) {
  std::string name;
  for (char c : app) {
    const char upper = absl::ascii_toupper(static_cast<unsigned char>(c));
    name.push_back(absl::ascii_isalnum(static_cast<unsigned char>(upper)) &&
                           static_cast<unsigned char>(upper) < 0x80
                       ? upper
                       : '_');
  }
  return absl::StrCat(name, "_PORT");
}

absl::StatusOr<std::vector<std::string>> SubstitutePorts(
    const std::vector<std::string>& args, const std::vector<std::string>& apps,
    const std::vector<uint16_t>& ports) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const std::string& arg : args) {
    std::string result;
    size_t i = 0;
    while (i < arg.size()) {
      const size_t open = arg.find("{port", i);
      if (open == std::string::npos) break;
      result.append(arg, i, open - i);
      const size_t close = arg.find('}', open);
      const size_t after = open + 5;  // past "{port"
      if (close != std::string::npos && close == after && !ports.empty()) {
        absl::StrAppend(&result, ports[0]);
        i = close + 1;
      } else if (close != std::string::npos && arg[after] == ':') {
        const std::string name = arg.substr(after + 1, close - after - 1);
        size_t k = 0;
        while (k < apps.size() && apps[k] != name) ++k;
        if (k == apps.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("{port:", name, "} names no app of this run (",
                           absl::StrJoin(apps, ", "), ")"));
        }
        if (k < ports.size()) absl::StrAppend(&result, ports[k]);
        i = close + 1;
      } else {
        result.append("{port");  // not a placeholder: kept as it is
        i = after;
      }
    }
    result.append(arg, std::min(i, arg.size()), std::string::npos);
    out.push_back(std::move(result));
  }
  return out;
}

absl::StatusOr<RunOutcome> Run(const std::vector<std::string>& apps,
                               const std::vector<std::string>& command,
                               const RunOptions& options) {
  if (command.empty() || command[0].empty()) {
    return absl::InvalidArgumentError("no command to run (put it after --)");
  }
  if (options.socket && !platform::CanHandOverSockets()) {
    return absl::InvalidArgumentError(
        "--socket is not available on this OS (no socket activation there)");
  }
  // Bad input is refused before any port is taken.
  for (size_t i = 0; i < apps.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (apps[i] != apps[j] &&
          PortVariable(apps[i]) == PortVariable(apps[j])) {
        return absl::InvalidArgumentError(absl::StrCat(
            "apps \"", apps[j], "\" and \"", apps[i], "\" would both be ",
            PortVariable(apps[i]), ": rename one"));
      }
    }
  }
  if (auto checked = SubstitutePorts(command, apps, {}); !checked.ok()) {
    return checked.status();
  }

  auto leases = AcquireGroup(apps, options.options);
  if (!leases.ok()) return leases.status();
  std::vector<uint16_t> ports;
  for (const Lease& lease : *leases) ports.push_back(lease.port());

  platform::ExecRequest request;
  auto argv = SubstitutePorts(command, apps, ports);
  if (!argv.ok()) return argv.status();
  request.argv = *std::move(argv);
  const std::string first = absl::StrCat(ports[0]);
  request.env = {
      {"PORT", first}, {"BERTH_PORT", first}, {"BERTH_APP", apps[0]}};
  for (size_t i = 0; i < apps.size(); ++i) {
    request.env.emplace_back(PortVariable(apps[i]), absl::StrCat(ports[i]));
  }
  const bool replace = ReplacesItself();
  for (Lease& lease : *leases) {
    auto handle =
        replace ? lease.InheritAcrossExec() : lease.InheritByChildren();
    if (!handle.ok()) return handle.status();
    request.keep.push_back(*handle);
  }
  if (options.socket) {
    for (size_t i = 0; i < ports.size(); ++i) {
      auto sock = platform::ListenTcp(options.host, ports[i]);
      if (!sock.ok()) return sock.status();
      request.listen_sockets.push_back(*sock);
      request.listen_names.push_back(apps[i]);
    }
  }
  if (options.before_start) options.before_start(*leases);

  RunOutcome outcome;
  absl::Status start;
  if (replace) {
    start = platform::ReplaceProcess(request);  // returns only on failure
  } else {
    auto code = platform::SpawnAndWait(request);
    if (code.ok()) {
      outcome.exit_code = *code;
      return outcome;  // the leases go with `leases`
    }
    start = code.status();
  }
  if (absl::IsInvalidArgument(start)) return start;
  outcome.exit_code = platform::ExitStatusForExecError(start);
  outcome.start_error = std::string(start.message());
  return outcome;  // `leases` release the ports on the way out
}

}  // namespace berth
