// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth inspect PID... [--json]

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/inspect.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/json.h"

namespace berth::cli {
namespace {

constexpr char kHelp[] =
    R"(Usage: berth inspect PID... [--json]

Says whether each process is alive, dead or unknown, by berth's liveness
rules: a zombie is dead, a process you may not inspect is alive, and the
start token is the OS's own raw start time (Linux: clock ticks since boot),
which tells a reused PID from the process that had it before.

Prints one line per PID: PID STATE START NAME ("-" where not known).
  --json   one JSON object per line: {"pid", "state", "start", "name"};
           "start" only for live processes, "name" where readable.
  --registry DIR   accepted like on every command; inspect reads no registry.

Exit status: 0 when every PID was inspected, 1 when one could not be,
2 for a malformed PID.
)";

constexpr FlagSpec kFlags[] = {
    {"json", false}, {"registry", true}, {"help", false}};

// Printable makes a process name safe for one line of a terminal.
std::string Printable(absl::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

int InspectCommand(const std::vector<std::string>& argv, std::ostream& out,
                   std::ostream& err) {
  auto args = ParseArgs(argv, kFlags);
  if (!args.ok()) {
    err << "berth: inspect: " << args.status().message() << "\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    out << kHelp;
    return kExitOk;
  }
  if (args->positional.empty()) {
    err << "berth: inspect: give at least one PID (see berth inspect --help)\n";
    return kExitUsage;
  }
  std::vector<int64_t> pids;
  for (const std::string& text : args->positional) {
    auto pid = ParsePid(text);
    if (!pid.ok()) {
      err << "berth: inspect: " << pid.status().message() << "\n";
      return kExitUsage;
    }
    pids.push_back(*pid);
  }
  const bool json = args->Has("json");
  int status = kExitOk;
  for (int64_t pid : pids) {
    auto st = InspectProcess(pid);
    platform::ProcessStatus s;
    if (st.ok()) {
      s = *std::move(st);
    } else {
      err << "berth: inspect " << pid << ": " << st.status().message()
          << "\n";
      status = kExitFailure;
    }
    const bool alive = s.liveness == platform::Liveness::kAlive;
    const std::string start =
        alive && s.start_token ? absl::StrCat(*s.start_token) : "";
    if (json) {
      out << "{\"pid\": " << pid << ", \"state\": \""
          << platform::LivenessName(s.liveness) << "\"";
      if (!start.empty()) out << ", \"start\": " << JsonString(start);
      if (!s.name.empty()) out << ", \"name\": " << JsonString(s.name);
      out << "}\n";
    } else {
      out << pid << " " << platform::LivenessName(s.liveness) << " "
          << (start.empty() ? "-" : start) << " "
          << (s.name.empty() ? "-" : Printable(s.name)) << "\n";
    }
  }
  return status;
}

}  // namespace berth::cli
