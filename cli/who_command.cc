// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth who PORT [--json]

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/who.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/json.h"

namespace berth::cli {
namespace {

constexpr char kWhoHelp[] =
    R"(Usage: berth who PORT [--json]

Says which process listens on PORT, on IPv4 or IPv6 (any address), and
which app berth holds the port for, if any. One line per listening socket:

  PORT FAMILY ADDRESS PID NAME [app APP]

("-" where the OS does not say, e.g. another user's process). Exit status 1
when nobody listens on PORT.

  --json          one object per line: {"port","pid","name","family","app"}
                  ("pid" and "name" where known, "app" where berth holds it)
  --registry DIR  use the registry in DIR (default $BERTH_HOME)
)";

}  // namespace

int WhoCommand(const std::vector<std::string>& argv, std::ostream& out,
               std::ostream& err) {
  static constexpr FlagSpec kFlags[] = {
      {"json", false}, {"registry", true}, {"help", false}};
  auto args = ParseArgs(argv, kFlags);
  if (!args.ok()) {
    err << "berth: who: " << args.status().message() << "\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    out << kWhoHelp;
    return kExitOk;
  }
  if (args->positional.size() != 1) {
    err << "berth: who: give exactly one PORT (see berth who --help)\n";
    return kExitUsage;
  }
  auto port = ParsePort(args->positional[0]);
  if (!port.ok()) {
    err << "berth: who: " << port.status().message() << "\n";
    return kExitUsage;
  }
  Options options;
  options.registry_dir = args->Get("registry");
  auto users = Who(*port, options);
  if (!users.ok()) {
    err << "berth: who: " << users.status().message() << "\n";
    return absl::IsInvalidArgument(users.status()) ? kExitUsage : kExitFailure;
  }
  if (users->empty()) {
    if (!args->Has("json")) out << "nobody listens on port " << *port << "\n";
    return kExitFailure;
  }
  for (const PortUser& u : *users) {
    const platform::Listener& l = u.listener;
    if (args->Has("json")) {
      out << "{\"port\": " << l.port;
      if (l.pid) out << ", \"pid\": " << *l.pid;
      if (!l.name.empty()) out << ", \"name\": " << JsonString(l.name);
      out << ", \"family\": \"" << platform::FamilyName(l.family) << "\"";
      if (u.app) out << ", \"app\": " << JsonString(*u.app);
      out << "}\n";
    } else {
      out << l.port << " " << platform::FamilyName(l.family) << " "
          << l.address << " " << (l.pid ? absl::StrCat(*l.pid) : "-") << " "
          << (l.name.empty() ? "-" : l.name)
          << (u.app ? absl::StrCat(" app ", *u.app) : "") << "\n";
    }
  }
  return kExitOk;
}

}  // namespace berth::cli
