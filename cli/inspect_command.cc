// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth inspect PID... [--json]

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/inspect.h"
#include "cli/handlers.h"
#include "cli/json.h"
#include "cli/printable.h"

namespace berth::cli {

int InspectCommand(Invocation& call) {
  const Args& args = call.args();
  std::vector<int64_t> pids;
  for (const std::string& text : args.positional) {
    auto pid = ParsePid(text);
    if (!pid.ok()) return call.Fail(pid.status());
    pids.push_back(*pid);
  }
  const bool json = args.Has("json");
  std::ostream& out = call.out();
  int status = kExitOk;
  for (int64_t pid : pids) {
    auto st = InspectProcess(pid);
    platform::ProcessStatus s;
    if (st.ok()) {
      s = *std::move(st);
    } else {
      call.Note(absl::StrCat(pid, ": ", st.status().message()));
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
