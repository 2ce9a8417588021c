// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth who PORT [--json]

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/who.h"
#include "cli/handlers.h"
#include "cli/json.h"
#include "cli/printable.h"

namespace berth::cli {

int WhoCommand(Invocation& call) {
  const Args& args = call.args();
  auto port = ParsePort(args.positional[0]);
  if (!port.ok()) return call.Fail(port.status());
  Options options;
  options.registry_dir = args.Get("registry");
  auto users = Who(*port, options);
  if (!users.ok()) return call.Fail(users.status());
  std::ostream& out = call.out();
  const bool json = args.Has("json");
  if (users->empty()) {
    if (!json) out << "nobody listens on port " << *port << "\n";
    return kExitFailure;
  }
  for (const PortUser& u : *users) {
    const platform::Listener& l = u.listener;
    if (json) {
      out << "{\"port\": " << l.port;
      if (l.pid) out << ", \"pid\": " << *l.pid;
      if (!l.name.empty()) out << ", \"name\": " << JsonString(l.name);
      out << ", \"family\": \"" << platform::FamilyName(l.family) << "\"";
      if (u.app) out << ", \"app\": " << JsonString(*u.app);
      out << "}\n";
    } else {
      out << l.port << " " << platform::FamilyName(l.family) << " "
          << Printable(l.address) << " " << (l.pid ? absl::StrCat(*l.pid) : "-")
          << " " << (l.name.empty() ? "-" : Printable(l.name))
          << (u.app ? absl::StrCat(" app ", Printable(*u.app)) : "") << "\n";
    }
  }
  return kExitOk;
}

}  // namespace berth::cli
