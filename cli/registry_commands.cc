// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth get / release / list / prune: the registry from the shell.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "api/inspect.h"
#include "api/admin.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/json.h"

namespace berth::cli {
namespace {

constexpr char kGetHelp[] =
    R"(Usage: berth get APP [--port P] [--range LO-HI] [--owner PID] [--json]

Gives APP a TCP port that no live process holds and nothing listens on, and
records it in the registry for its owner, the calling shell unless --owner
says otherwise. Prints the port alone, so this works:

  PORT=$(berth get web)

Asking again for the same APP from the same owner gives the same port. The
entry lasts as long as the owner process; the next allocation after the
owner exits hands the port out again.

  --port P        ask for port P first (another is given if P is taken)
  --range LO-HI   choose from this range (default $BERTH_RANGE or 8800-8999)
  --owner PID     record PID as the holder (default: the parent process)
  --json          print {"app","port","pid","start","state","since","reason"}
  --registry DIR  use the registry in DIR (default $BERTH_HOME)
)";

constexpr char kReleaseHelp[] =
    R"(Usage: berth release APP | berth release --port P

Drops the registry entries of APP (whoever holds them), or the entry of
port P, so the port can be handed out again. Exit status 1 when there was
nothing to release.

  --registry DIR  use the registry in DIR (default $BERTH_HOME)
)";

constexpr char kListHelp[] =
    R"(Usage: berth list [--json]

Shows every registry entry and its state now: live (its holder runs),
stale (the holder is gone; the next get or prune drops it) or unknown (the
OS could not say). Changes nothing.

  --json          an array of {"app","port","pid","start","state","since"}
  --registry DIR  use the registry in DIR (default $BERTH_HOME)
)";

constexpr char kPruneHelp[] =
    R"(Usage: berth prune

Drops every stale entry from the registry and says how many. (Allocation
does this on its own; prune is for tidy listings.)

  --registry DIR  use the registry in DIR (default $BERTH_HOME)
)";

int Fail(std::ostream& err, absl::string_view command,
         const absl::Status& status) {
  err << "berth: " << command << ": " << status.message() << "\n";
  return absl::IsInvalidArgument(status) ? kExitUsage : kExitFailure;
}

// Parse parses argv for `command`; on --help prints `help` and returns
// kExitOk through *exit, on errors prints one line and returns kExitUsage.
std::optional<Args> Parse(const std::vector<std::string>& argv,
                          absl::Span<const FlagSpec> specs,
                          absl::string_view command, const char* help,
                          std::ostream& out, std::ostream& err, int* exit) {
  auto args = ParseArgs(argv, specs);
  if (!args.ok()) {
    *exit = Fail(err, command, args.status());
    return std::nullopt;
  }
  if (args->Has("help")) {
    out << help;
    *exit = kExitOk;
    return std::nullopt;
  }
  return *std::move(args);
}

std::string EntryJson(const Entry& e) {
  return absl::StrCat(
      "{\"app\": ", JsonString(e.app), ", \"scope\": ",
      e.scope.empty() ? "null" : JsonString(e.scope), ", \"port\": ", e.port,
      ", \"pid\": ", e.pid, ", \"start\": ",
      e.start ? absl::StrCat("\"", *e.start, "\"") : "null",
      ", \"state\": \"", EntryStateName(e.state), "\", \"since\": ", e.since,
      "}");
}

}  // namespace

int GetCommand(const std::vector<std::string>& argv, std::ostream& out,
               std::ostream& err) {
  static constexpr FlagSpec kFlags[] = {
      {"port", true},  {"range", true},    {"owner", true},
      {"json", false}, {"registry", true}, {"help", false}};
  int exit = kExitUsage;
  auto args = Parse(argv, kFlags, "get", kGetHelp, out, err, &exit);
  if (!args) return exit;
  if (args->positional.size() != 1) {
    err << "berth: get: give exactly one APP name (see berth get --help)\n";
    return kExitUsage;
  }
  const std::string& app = args->positional[0];
  Options options;
  options.registry_dir = args->Get("registry");
  if (auto p = args->Get("port")) {
    auto port = ParsePort(*p);
    if (!port.ok()) return Fail(err, "get", port.status());
    options.port = *port;
  }
  if (auto r = args->Get("range")) {
    auto range = ParseRange(*r);
    if (!range.ok()) return Fail(err, "get", range.status());
    options.range = *range;
  }
  int64_t owner = 0;
  if (auto o = args->Get("owner")) {
    auto pid = ParsePid(*o);
    if (!pid.ok()) return Fail(err, "get", pid.status());
    owner = *pid;
  } else {
    auto parent = ParentProcessId();
    if (!parent.ok()) {
      return Fail(err, "get",
                  absl::Status(parent.status().code(),
                               absl::StrCat(parent.status().message(),
                                            "; name the owner with --owner PID")));
    }
    if (*parent == 0) {
      return Fail(err, "get",
                  absl::FailedPreconditionError(
                      "the calling process's parent lives outside this PID "
                      "namespace (docker exec, nsenter, unshare --pid): name "
                      "the owner with --owner PID, or use berth run"));
    }
    if (*parent == 1) {
      return Fail(err, "get",
                  absl::FailedPreconditionError(
                      "the calling process's parent is init (PID 1), which "
                      "never exits, so the port would never be given back: "
                      "name the owner with --owner PID (in a script: --owner "
                      "$$), or use berth run"));
    }
    owner = *parent;
  }
  auto reservation = Reserve(app, owner, options);
  if (!reservation.ok()) return Fail(err, "get", reservation.status());
  if (options.port && reservation->port != *options.port) {
    err << "berth: get: " << reservation->reason << "\n";
  }
  if (args->Has("json")) {
    std::string json = EntryJson(reservation->entry);
    json.pop_back();
    out << json << ", \"reason\": " << JsonString(reservation->reason)
        << "}\n";
  } else {
    out << reservation->port << "\n";
  }
  return kExitOk;
}

int ReleaseCommand(const std::vector<std::string>& argv, std::ostream& out,
                   std::ostream& err) {
  static constexpr FlagSpec kFlags[] = {
      {"port", true}, {"registry", true}, {"help", false}};
  int exit = kExitUsage;
  auto args = Parse(argv, kFlags, "release", kReleaseHelp, out, err, &exit);
  if (!args) return exit;
  Options options;
  options.registry_dir = args->Get("registry");
  const auto port_flag = args->Get("port");
  if (port_flag.has_value() == (args->positional.size() == 1) ||
      args->positional.size() > 1) {
    err << "berth: release: give either one APP or --port P (see berth "
           "release --help)\n";
    return kExitUsage;
  }
  absl::StatusOr<ReleaseResult> released;
  std::string what;
  if (port_flag) {
    auto port = ParsePort(*port_flag);
    if (!port.ok()) return Fail(err, "release", port.status());
    released = ReleasePort(*port, options);
    what = absl::StrCat("port ", *port);
  } else {
    released = ReleaseApp(args->positional[0], options);
    what = absl::StrCat("app \"", args->positional[0], "\"");
  }
  if (!released.ok()) return Fail(err, "release", released.status());
  const size_t n = released->released.size();
  if (n == 0 && released->held.empty()) {
    err << "berth: release: nothing to release: no entry for " << what << "\n";
    return kExitFailure;
  }
  if (n > 0) {
    out << "released " << n << (n == 1 ? " entry" : " entries") << " for "
        << what << "\n";
  }
  if (!released->held.empty()) {
    const Entry& e = released->held.front();
    err << "berth: release: port " << e.port << " of " << what
        << " is held by a running process (pid " << e.pid
        << ") that keeps its lease lock: stop it to free the port\n";
    return kExitFailure;
  }
  return kExitOk;
}

int ListCommand(const std::vector<std::string>& argv, std::ostream& out,
                std::ostream& err) {
  static constexpr FlagSpec kFlags[] = {
      {"json", false}, {"registry", true}, {"help", false}};
  int exit = kExitUsage;
  auto args = Parse(argv, kFlags, "list", kListHelp, out, err, &exit);
  if (!args) return exit;
  if (!args->positional.empty()) {
    err << "berth: list: takes no arguments (see berth list --help)\n";
    return kExitUsage;
  }
  Options options;
  options.registry_dir = args->Get("registry");
  auto entries = List(options);
  if (!entries.ok()) return Fail(err, "list", entries.status());
  if (args->Has("json")) {
    out << "[";
    for (size_t i = 0; i < entries->size(); ++i) {
      out << (i ? ",\n " : "") << EntryJson((*entries)[i]);
    }
    out << "]\n";
    return kExitOk;
  }
  if (entries->empty()) {
    out << "no ports held\n";
    return kExitOk;
  }
  size_t width = 3;
  for (const auto& e : *entries) width = std::max(width, e.app.size());
  out << absl::StrFormat("%-*s  %5s  %8s  %-7s  %s\n", width, "APP", "PORT",
                         "PID", "STATE", "SINCE");
  for (const auto& e : *entries) {
    std::string app = e.app;
    for (char& c : app) {
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    out << absl::StrFormat(
        "%-*s  %5d  %8d  %-7s  %s%s\n", width, app, e.port, e.pid,
        EntryStateName(e.state),
        absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(e.since),
                         absl::LocalTimeZone()),
        e.why.empty() ? "" : absl::StrCat("  (", e.why, ")"));
  }
  return kExitOk;
}

int PruneCommand(const std::vector<std::string>& argv, std::ostream& out,
                 std::ostream& err) {
  static constexpr FlagSpec kFlags[] = {{"registry", true}, {"help", false}};
  int exit = kExitUsage;
  auto args = Parse(argv, kFlags, "prune", kPruneHelp, out, err, &exit);
  if (!args) return exit;
  if (!args->positional.empty()) {
    err << "berth: prune: takes no arguments (see berth prune --help)\n";
    return kExitUsage;
  }
  Options options;
  options.registry_dir = args->Get("registry");
  auto pruned = Prune(options);
  if (!pruned.ok()) return Fail(err, "prune", pruned.status());
  out << "pruned " << *pruned << " stale "
      << (*pruned == 1 ? "entry" : "entries") << "\n";
  return kExitOk;
}

}  // namespace berth::cli
