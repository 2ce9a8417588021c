// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth get / release / list / prune: the registry from the shell.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/inspect.h"
#include "api/run.h"
#include "cli/handlers.h"
#include "cli/json.h"
#include "cli/printable.h"

namespace berth::cli {
namespace {

// EntryJson is one entry as JSON; `reason`, when given, is added.
std::string EntryJson(const Entry& e, const std::string* reason = nullptr) {
  return absl::StrCat(
      "{\"app\": ", JsonString(e.app), ", \"port\": ", e.port,
      ", \"pid\": ", e.pid,
      ", \"start\": ", e.start ? absl::StrCat("\"", *e.start, "\"") : "null",
      ", \"state\": \"", EntryStateName(e.state), "\", \"since\": ", e.since,
      ", \"scope\": ", e.scope.empty() ? "null" : JsonString(e.scope),
      reason != nullptr ? absl::StrCat(", \"reason\": ", JsonString(*reason))
                        : "",
      "}");
}

// Owner returns the process a reservation is for: --owner, else the calling
// shell (ReservationOwner: the parent, past $(...) subshells).
absl::StatusOr<int64_t> Owner(const Args& args) {
  if (auto o = args.Get("owner")) return ParsePid(*o);
  auto parent = ReservationOwner();
  if (!parent.ok()) {
    return absl::Status(parent.status().code(),
                        absl::StrCat(parent.status().message(),
                                     "; name the owner with --owner PID"));
  }
  if (*parent == 0) {
    return absl::FailedPreconditionError(
        "the calling process's parent lives outside this PID namespace "
        "(docker exec, nsenter, unshare --pid): name the owner with --owner "
        "PID, or use berth run");
  }
  if (*parent == 1) {
    return absl::FailedPreconditionError(
        "the calling process's parent is init (PID 1), which never exits, so "
        "the port would never be given back: name the owner with --owner PID "
        "(in a script: --owner $$), or use berth run");
  }
  return *parent;
}

enum class Format { kPort, kEnv, kJson };

absl::StatusOr<Format> OutputFormat(const Args& args) {
  Format format = Format::kPort;
  if (auto f = args.Get("format")) {
    if (*f == "port") {
      format = Format::kPort;
    } else if (*f == "env") {
      format = Format::kEnv;
    } else if (*f == "json") {
      format = Format::kJson;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown format \"", *f, "\": expected port, env or json"));
    }
  }
  if (args.Has("json")) {
    if (args.Has("format") && format != Format::kJson) {
      return absl::InvalidArgumentError("--json and --format " +
                                        *args.Get("format") + " disagree");
    }
    format = Format::kJson;
  }
  return format;
}

}  // namespace

int GetCommand(Invocation& call) {
  const Args& args = call.args();
  auto options = call.CommonOptions();
  if (!options.ok()) return call.Fail(options.status());
  const std::vector<std::string>& apps = args.positional;
  if (auto p = args.Get("port")) {
    auto port = ParsePort(*p);
    if (!port.ok()) return call.Fail(port.status());
    options->port = *port;
  }
  if (auto r = args.Get("range")) {
    auto range = ParseRange(*r);
    if (!range.ok()) return call.Fail(range.status());
    options->range = *range;
  }
  auto format = OutputFormat(args);
  if (!format.ok()) return call.Fail(format.status());
  // Bad input is refused before the owner is looked for (whose absence is
  // a failure, not bad input).
  for (size_t i = 0; i < apps.size(); ++i) {
    if (absl::Status s = ValidateAppName(apps[i]); !s.ok()) return call.Fail(s);
    if (std::find(apps.begin(), apps.begin() + i, apps[i]) !=
        apps.begin() + i) {
      return call.Fail(absl::InvalidArgumentError(
          absl::StrCat("app \"", apps[i], "\" is named twice")));
    }
  }
  if (auto scope = ResolvedScope(*options); !scope.ok()) {
    return call.Fail(scope.status());
  }
  if (*format == Format::kEnv) {
    for (size_t i = 0; i < apps.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (apps[i] != apps[j] &&
            PortVariable(apps[i]) == PortVariable(apps[j])) {
          return call.Fail(absl::InvalidArgumentError(absl::StrCat(
              "apps \"", apps[j], "\" and \"", apps[i], "\" would both be ",
              PortVariable(apps[i]), ": rename one")));
        }
      }
    }
  }
  auto owner = Owner(args);
  if (!owner.ok()) return call.Fail(owner.status());

  auto reserved = ReserveGroup(apps, *owner, *options);
  if (!reserved.ok()) return call.Fail(reserved.status());
  if (options->port && reserved->front().port != *options->port) {
    call.Note(reserved->front().reason);
  }
  std::ostream& out = call.out();
  if (*format == Format::kJson && reserved->size() == 1) {
    out << EntryJson(reserved->front().entry, &reserved->front().reason)
        << "\n";
  } else if (*format == Format::kJson) {
    out << "[";
    for (size_t i = 0; i < reserved->size(); ++i) {
      const Reservation& r = (*reserved)[i];
      out << (i ? ",\n " : "") << EntryJson(r.entry, &r.reason);
    }
    out << "]\n";
  } else {
    for (size_t i = 0; i < reserved->size(); ++i) {
      if (*format == Format::kEnv) out << PortVariable(apps[i]) << "=";
      out << (*reserved)[i].port << "\n";
    }
  }
  if (!call.FlushOutput()) {
    // Nobody learnt the ports: give back the ones this call took.
    for (const Reservation& r : *reserved) {
      if (!r.existing) ReleasePort(r.port, *options).IgnoreError();
    }
    return kExitFailure;
  }
  return kExitOk;
}

int ReleaseCommand(Invocation& call) {
  const Args& args = call.args();
  auto options = call.CommonOptions();
  if (!options.ok()) return call.Fail(options.status());
  const auto port_flag = args.Get("port");
  if (port_flag.has_value() == (args.positional.size() == 1)) {
    return call.Usage("give either one APP or --port P");
  }
  absl::StatusOr<ReleaseResult> released;
  std::string what;
  if (port_flag) {
    if (args.Has("scope")) {
      return call.Usage(
          "--port releases a port whatever its scope: no --scope");
    }
    auto port = ParsePort(*port_flag);
    if (!port.ok()) return call.Fail(port.status());
    released = ReleasePort(*port, *options);
    what = absl::StrCat("port ", *port);
  } else {
    released = ReleaseApp(args.positional[0], *options);
    what = absl::StrCat("app \"", Printable(args.positional[0]), "\"");
  }
  if (!released.ok()) return call.Fail(released.status());
  const size_t n = released->released.size();
  if (n == 0 && released->held.empty()) {
    call.Note(absl::StrCat("nothing to release: no entry for ", what));
    return kExitFailure;
  }
  if (n > 0) {
    call.out() << "released " << n << (n == 1 ? " entry" : " entries")
               << " for " << what << "\n";
  }
  if (!released->held.empty()) {
    const Entry& e = released->held.front();
    call.Note(absl::StrCat(
        "port ", e.port, " of ", what, " is held by a running process (pid ",
        e.pid,
        ") that keeps its lease lock: stop it to free the port (berth stop)"));
    return kExitFailure;
  }
  return kExitOk;
}

int ListCommand(Invocation& call) {
  const Args& args = call.args();
  Options options;
  options.registry_dir = args.Get("registry");
  std::optional<std::string> scope;
  if (args.Has("scope")) {
    auto common = call.CommonOptions();
    if (!common.ok()) return call.Fail(common.status());
    auto resolved = ResolvedScope(*common);
    if (!resolved.ok()) return call.Fail(resolved.status());
    scope = *resolved;
  }
  auto listed = List(options);
  if (!listed.ok()) return call.Fail(listed.status());
  std::vector<Entry> entries;
  for (Entry& e : *listed) {
    if (!scope || e.scope == *scope) entries.push_back(std::move(e));
  }
  std::ostream& out = call.out();
  if (args.Has("json")) {
    out << "[";
    for (size_t i = 0; i < entries.size(); ++i) {
      out << (i ? ",\n " : "") << EntryJson(entries[i]);
    }
    out << "]\n";
    return kExitOk;
  }
  if (entries.empty()) {
    out << "no ports held\n";
    return kExitOk;
  }
  std::vector<std::string> apps;
  size_t width = 3;
  for (const Entry& e : entries) {
    apps.push_back(Printable(e.app));
    width = std::max(width, apps.back().size());
  }
  out << absl::StrFormat("%-*s  %5s  %8s  %-7s  %-19s  %s\n", width, "APP",
                         "PORT", "PID", "STATE", "SINCE", "SCOPE");
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    out << absl::StrFormat(
        "%-*s  %5d  %8d  %-7s  %s  %s%s\n", width, apps[i], e.port, e.pid,
        EntryStateName(e.state),
        absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(e.since),
                         absl::LocalTimeZone()),
        e.scope.empty() ? "-" : Printable(e.scope),
        e.why.empty() ? "" : absl::StrCat("  (", Printable(e.why), ")"));
  }
  return kExitOk;
}

int PruneCommand(Invocation& call) {
  Options options;
  options.registry_dir = call.args().Get("registry");
  auto pruned = Prune(options);
  if (!pruned.ok()) return call.Fail(pruned.status());
  call.out() << "pruned " << *pruned << " stale "
             << (*pruned == 1 ? "entry" : "entries") << "\n";
  return kExitOk;
}

}  // namespace berth::cli
