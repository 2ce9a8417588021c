// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The command table, and dispatch and help driven by it.

#include "cli/commands.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/handlers.h"
#include "cli/printable.h"

namespace berth::cli {
namespace {

// --- flags, by command -------------------------------------------------------

constexpr Flag kPortFlag = {"port", "P",
                            "ask for port P first (for the first APP)"};
constexpr Flag kRangeFlag = {
    "range", "LO-HI",
    "choose from this range (default $BERTH_RANGE or 8800-8999)"};
constexpr Flag kTimeoutFlag = {"timeout", "SECONDS",
                               "give up after this long (default 30)"};

constexpr Flag kRunFlags[] = {
    kPortFlag,
    kRangeFlag,
    {"socket", nullptr,
     "bind and listen on each port here and hand CMD the listening sockets "
     "from descriptor 3 on (systemd socket activation: LISTEN_FDS, "
     "LISTEN_PID, LISTEN_FDNAMES=APP:APP...); POSIX only"},
    {"host", "H", "the address --socket listens on (default 127.0.0.1)"},
    kScopeFlag,
    kRegistryFlag,
};

constexpr Flag kGetFlags[] = {
    kPortFlag,
    kRangeFlag,
    {"owner", "PID", "record PID as the holder (default: the calling shell)"},
    {"format", "FORMAT", "port (default), env or json (see above)",
     "port env json"},
    {"json", nullptr, "the same as --format json"},
    kScopeFlag,
    kRegistryFlag,
};

constexpr Flag kWaitFlags[] = {
    kTimeoutFlag,
    {"free", nullptr,
     "wait until nothing holds the port(s) and nothing listens on them"},
    kScopeFlag,
    kRegistryFlag,
};

constexpr Flag kStopFlags[] = {
    {"signal", "NAME",
     "TERM (default), INT, HUP, QUIT, KILL, USR1 or USR2, with or without SIG",
     "TERM INT HUP QUIT KILL USR1 USR2"},
    {"timeout", "SECONDS",
     "how long to wait for the holder to exit (default 10)"},
    {"kill-after", nullptr,
     "send KILL to a holder still running after the timeout"},
    kScopeFlag,
    kRegistryFlag,
};

constexpr Flag kScopeAndRegistryFlags[] = {kScopeFlag, kRegistryFlag};

constexpr Flag kListFlags[] = {
    {"json", nullptr,
     "an array of {\"app\",\"scope\",\"port\",\"pid\",\"start\",\"state\","
     "\"since\"}"},
    {"scope", "DIR", "only the apps of this scope (none: global)"},
    kRegistryFlag,
};

constexpr Flag kWhoFlags[] = {
    {"json", nullptr,
     "one object per line: {\"port\",\"pid\",\"name\",\"family\",\"app\"}"},
    kRegistryFlag,
};

constexpr Flag kReleaseFlags[] = {
    {"port", "P", "release the entry of port P, whoever holds it"},
    kScopeFlag,
    kRegistryFlag,
};

constexpr Flag kRegistryOnly[] = {kRegistryFlag};

constexpr Flag kInspectFlags[] = {
    {"json", nullptr,
     "one object per line: {\"pid\",\"state\",\"start\",\"name\"}"},
    {"registry", "DIR",
     "accepted like on every command; inspect reads no "
     "registry"},
};

// --- help texts
// ------------------------------------------------------------------

constexpr char kRunHelp[] =
    R"text(Starts CMD on ports of its own: one for each APP, taken together (all or
none) and held for as long as CMD runs. CMD finds them in its environment
and in its arguments:

  PORT, BERTH_PORT        the first APP's port (BERTH_APP: its name)
  WEB_PORT, API_PORT...   each APP's port (the name upper-cased, every
                          character outside A-Z and 0-9 made _)
  {port}, {port:NAME}     in ARGS: the first APP's port, APP NAME's port

  berth run docs -- python3 -m http.server {port} --bind 127.0.0.1
  berth run web api hmr -- ./dev --port {port:web} --api {port:api}
  berth run web db -- docker compose up      # ${WEB_PORT} in compose.yaml

Where every process can check berth's PID, berth replaces itself with CMD
(exec): CMD keeps berth's PID, is the registered holder, and inherits the
lease locks, so the ports are free again the moment it exits, however it
exits. Inside a PID namespace of its own (a container, bazel test's
sandbox) and on Windows, berth stays as CMD's parent instead: it holds the
ports, passes signals on, and exits with CMD's status. The exit status is
CMD's; 127 when CMD is not found, 126 when it cannot be executed.

When --port P is taken, another port is given and stderr says why. Put --
before an APP that starts with - (berth run -- -x -- CMD).)text";

constexpr char kGetHelp[] =
    R"text(Takes a port for each APP, held by the calling shell (or --owner PID), and
prints them one per line in the order given, so these work:

  PORT=$(berth get web)
  berth get --format env web db > .env      # WEB_PORT=8825, DB_PORT=8826

Asking again for the same APP from the same owner gives the same port. The
entries last as long as the owner process (its PID and start time); the
next allocation after it exits hands the ports out again. Several APPs are
taken together: all or none. When --port P is taken, another port is given
and stderr says why.

The owner must be a process every berth can check, so get is refused
inside a PID namespace of its own (a container, bazel test's sandbox):
use berth run there, which holds the ports with a kernel lock. In a
pipeline or a function the calling process can be a short-lived subshell:
pass --owner $$ there.

Formats: port, one number per line; env, NAME_PORT=PORT lines (for .env
files and eval); json, one object {"app","port","pid","start","state",
"since","scope","reason"} for one APP, an array of them for several.)text";

constexpr char kWaitHelp[] =
    R"text(Waits until APP's server (or PORT's) listens on its port, IPv4 or IPv6:
the listener must be the port's holder or a process it started, where the
OS says which process listens and the holder's PID can be checked from
here; a port nobody holds is ready when anything listens on it. An APP
nobody holds yet is waited for, so this works:

  berth run web -- ./server --port {port} &
  berth wait web && curl "$(berth url web)"

An operand of digits only is a PORT. With --free, waits instead until
nothing that is not stale holds the port(s) and nothing listens on them.
Checks at once, then after 5 ms, twice as long each time after, up to
every 200 ms.

Exit status: 0 ready, 1 at the timeout (saying what it saw last), 2 bad
input.)text";

constexpr char kStopHelp[] =
    R"text(Sends a signal (TERM unless --signal says otherwise) to the process that
holds APP's ports and waits until it has exited. It is signalled only while
its PID still has the start time on record, so a process that got the PID
later is never touched (on Linux the signal goes through a pidfd). With
--kill-after, a holder that still runs at the timeout gets KILL.

Refused before anything is sent: a holder berth cannot check (in another
PID namespace, or with no start time on record), and the process running
berth stop or one of its ancestors (a shell that took the port with berth
get: release it with berth release instead).

Windows has no signals: there the holder gets a console control event
(Ctrl+C for INT, Ctrl+Break otherwise) where that reaches it alone, and is
terminated otherwise.

Exit status: 0 stopped, 1 no live holder or still running at the timeout,
2 bad input.)text";

constexpr char kUrlHelp[] =
    R"text(Prints http://APP.localhost:PORT for the port each APP holds, one per line.
Current browsers resolve every *.localhost name to the loopback address,
so no proxy or hosts file is needed. APP is made a DNS label: letters
lower-cased, digits kept, every run of other characters one -, none at
either end (my_api.v2 -> my-api-v2).

Exit status: 0 printed, 1 when an APP holds no port, 2 when an APP cannot
be made a DNS label (non-ASCII, or no letters or digits).)text";

constexpr char kListHelp[] =
    R"text(Shows every registry entry and its state now: live (its holder runs),
stale (the holder is gone; the next allocation or prune drops it) or
unknown (the OS could not say; never dropped), and the scope of each app
("-": global; JSON: null). Changes nothing.)text";

constexpr char kWhoHelp[] =
    R"text(Says which process listens on PORT, on IPv4 or IPv6 (any address), and
which app berth holds the port for, if any. One line per listening socket:

  PORT FAMILY ADDRESS PID NAME [app APP]

("-" where the OS does not say, e.g. another user's process). Exit status 1
when nobody listens on PORT.)text";

constexpr char kReleaseHelp[] =
    R"text(Drops the registry entries of APP in the scope (whoever holds them), or
the entry of port P (--port P, no APP), so the port can be handed out
again. A port whose holder keeps its lease lock (a server started by berth
run) is not released: stop the server instead (berth stop APP). Exit status
1 when there was nothing to release.)text";

constexpr char kPruneHelp[] =
    R"text(Drops every stale entry from the registry and says how many. (Allocation
does this on its own; prune is for tidy listings.))text";

constexpr char kInspectHelp[] =
    R"text(Says whether each process is alive, dead or unknown, by berth's liveness
rules: a zombie is dead, a process you may not inspect is alive, and the
start token is the OS's own raw start time (Linux: clock ticks since boot),
which tells a reused PID from the process that had it before. One line per
PID: PID STATE START NAME ("-" where not known).

Exit status: 0 when every PID was inspected, 1 when one could not be, 2 for
a malformed PID.)text";

// --- the table
// -------------------------------------------------------------------

constexpr size_t kMaxApps = 64;
constexpr size_t kAny = static_cast<size_t>(-1);

constexpr Command kCommands[] = {
    {"run", "APP... -- CMD [ARGS...]", "run a server on ports of its own",
     kRunHelp, kRunFlags, Operands::kAppsThenCommand, 1, kMaxApps, RunCommand},
    {"get", "APP...", "ports for a shell: PORT=$(berth get web)", kGetHelp,
     kGetFlags, Operands::kPlain, 1, kMaxApps, GetCommand},
    {"wait", "APP|PORT", "wait until an app's server listens", kWaitHelp,
     kWaitFlags, Operands::kPlain, 1, 1, WaitCommand},
    {"stop", "APP", "stop the process holding an app's ports", kStopHelp,
     kStopFlags, Operands::kPlain, 1, 1, StopCommand},
    {"url", "APP...", "print http://APP.localhost:PORT", kUrlHelp,
     kScopeAndRegistryFlags, Operands::kPlain, 1, kMaxApps, UrlCommand},
    {"list", "", "who holds which port; are they alive", kListHelp, kListFlags,
     Operands::kPlain, 0, 0, ListCommand},
    {"who", "PORT", "which process listens on PORT", kWhoHelp, kWhoFlags,
     Operands::kPlain, 1, 1, WhoCommand},
    {"release", "APP | --port P", "give a port back", kReleaseHelp,
     kReleaseFlags, Operands::kPlain, 0, 1, ReleaseCommand},
    {"prune", "", "drop the entries whose holders are gone", kPruneHelp,
     kRegistryOnly, Operands::kPlain, 0, 0, PruneCommand},
    {"inspect", "PID...", "is a process alive; its start token", kInspectHelp,
     kInspectFlags, Operands::kPlain, 1, kAny, InspectCommand},
};

// --- help, from the table
// ----------------------------------------------------------

std::string UsageLine(const Command& c) {
  std::string line = absl::StrCat("berth ", c.name);
  if (c.kind == Operands::kAppsThenCommand) {
    // APP... [OPTIONS] -- CMD [ARGS...]
    const absl::string_view operands = c.operands;
    const size_t dashes = operands.find(" -- ");
    absl::StrAppend(&line, " ", operands.substr(0, dashes), " [OPTIONS]",
                    operands.substr(dashes));
  } else {
    if (*c.operands != '\0') absl::StrAppend(&line, " ", c.operands);
    absl::StrAppend(&line, " [OPTIONS]");
  }
  return line;
}

// Rows prints two-column rows, the second column wrapped to fit 79
// columns.
std::string Rows(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  const size_t indent = 2 + width + 2;
  const size_t room = indent < 50 ? 79 - indent : 30;
  std::string text;
  for (const auto& [left, right] : rows) {
    absl::StrAppendFormat(&text, "  %-*s  ", width, left);
    size_t used = 0;
    for (absl::string_view word :
         absl::StrSplit(right, ' ', absl::SkipEmpty())) {
      if (used > 0 && used + 1 + word.size() > room) {
        absl::StrAppend(&text, "\n", std::string(indent, ' '));
        used = 0;
      } else if (used > 0) {
        text.push_back(' ');
        ++used;
      }
      absl::StrAppend(&text, word);
      used += word.size();
    }
    text.push_back('\n');
  }
  return text;
}

std::string CommandHelp(const Command& c) {
  std::string text =
      absl::StrCat("Usage: ", UsageLine(c), "\n\n", c.help, "\n\nOptions:\n");
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Flag& f : c.flags) {
    rows.push_back(
        {absl::StrCat("--", f.name, f.value ? " " : "", f.value ? f.value : ""),
         f.help});
  }
  rows.push_back({"--help", "show this help"});
  return text + Rows(rows);
}

std::string MainHelp() {
  std::string text =
      "berth: a TCP port for every local server, no daemon.\n\n"
      "Usage: berth COMMAND [OPERANDS] [OPTIONS]\n\nCommands:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Command& c : kCommands) {
    rows.push_back(
        {absl::StrCat(c.name, *c.operands ? " " : "", c.operands), c.summary});
  }
  absl::StrAppend(
      &text, Rows(rows),
      "\nEvery command takes --registry DIR (default $BERTH_HOME, else the\n"
      "per-user state directory); those that name apps take --scope DIR\n"
      "(default $BERTH_SCOPE, else the git work tree around the current\n"
      "directory; none: the global scope). -- ends the options.\n"
      "Exit status: 0 success, 1 a failure, 2 bad input; every error is one\n"
      "line on stderr starting \"berth: \".\n\n"
      "Run `berth COMMAND --help` for a command's options.\n");
  return text;
}

const Command* FindCommand(absl::string_view name) {
  for (const Command& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string OperandCountError(const Command& c, size_t given) {
  if (c.max_operands == 0) return "takes no operands";
  if (given < c.min_operands) {
    return absl::StrCat("give ", c.max_operands == 1 ? "one " : "", c.operands);
  }
  return absl::StrCat("give at most ", c.max_operands,
                      c.max_operands == 1 ? " operand (" : " operands (",
                      c.operands, ")");
}

}  // namespace

absl::Span<const Command> Commands() { return kCommands; }

int Main(const std::vector<std::string>& argv, std::ostream& out,
         std::ostream& err) {
  if (argv.empty()) {
    err << MainHelp();
    return kExitUsage;
  }
  const std::string& name = argv[0];
  if (name == "--help" || name == "-h" || name == "help") {
    const Command* c = argv.size() == 2 ? FindCommand(argv[1]) : nullptr;
    if (argv.size() > 2 || (argv.size() == 2 && c == nullptr)) {
      err << "berth: help: give no operand or one command name\n";
      return kExitUsage;
    }
    out << (c != nullptr ? CommandHelp(*c) : MainHelp());
    out.flush();
    if (out) return kExitOk;
    err << "berth: cannot write the help to standard output\n";
    return kExitFailure;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    err << "berth: unknown command \"" << Printable(name)
        << "\"; run `berth --help` for the list\n";
    return kExitUsage;
  }
  auto args = ParseArgs(absl::MakeConstSpan(argv).subspan(1), command->flags,
                        command->kind);
  if (!args.ok()) {
    err << "berth: " << command->name << ": "
        << Printable(args.status().message()) << "\n";
    return kExitUsage;
  }
  Invocation call(*command, *std::move(args), out, err);
  if (call.args().Has("help")) {
    out << CommandHelp(*command);
    return call.FlushOutput() ? kExitOk : kExitFailure;
  }
  const size_t n = call.args().positional.size();
  if (n < command->min_operands || n > command->max_operands) {
    return call.Usage(OperandCountError(*command, n));
  }
  int status = command->run(call);
  if (status == kExitOk && !call.FlushOutput()) status = kExitFailure;
  return status;
}

}  // namespace berth::cli
