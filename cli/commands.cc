// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/commands.h"

#include "absl/strings/str_cat.h"

namespace berth::cli {
namespace {

constexpr char kUsage[] =
    R"(berth: a TCP port for every local server, no daemon.

Usage: berth COMMAND [ARGS...]

Commands:
  run APP -- CMD   run a server on a port of its own: berth run web -- ./srv --port {port}
  get APP          a port for APP, held by the calling shell: PORT=$(berth get web)
  release APP      give APP's port back (or --port P)
  list             the ports held, by whom, and whether the holder still runs
  who PORT         which process listens on PORT, and which app holds it
  prune            drop the entries whose holders are gone
  inspect PID...   is each process alive, dead or unknown; its start token

Every command takes --registry DIR (default $BERTH_HOME, else the per-user
state directory).

Run `berth COMMAND --help` for a command's options.
)";

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&, std::ostream&, std::ostream&);
};

constexpr Command kCommands[] = {
    {"run", RunCommand},         {"get", GetCommand},         {"release", ReleaseCommand},
    {"list", ListCommand},       {"who", WhoCommand},       {"prune", PruneCommand},
    {"inspect", InspectCommand},
};

}  // namespace

int Main(const std::vector<std::string>& argv, std::ostream& out,
         std::ostream& err) {
  if (argv.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::string& name = argv[0];
  if (name == "--help" || name == "-h" || name == "help") {
    out << kUsage;
    return kExitOk;
  }
  for (const Command& command : kCommands) {
    if (name == command.name) {
      return command.run(
          std::vector<std::string>(argv.begin() + 1, argv.end()), out, err);
    }
  }
  err << "berth: unknown command \"" << name
      << "\"; run `berth --help` for the list\n";
  return kExitUsage;
}

}  // namespace berth::cli
