// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// port_holder: a holder of a port for the shell tests, which records how
// long it held it. Every hold is logged as one line
//
//   span PORT START END WHO
//
// START and END in microseconds of CLOCK_REALTIME (one clock for every PID
// namespace), START taken once the port is held and END before it is given
// back, so the logged span lies within the real hold: two overlapping spans
// of one port mean two live holders. While it holds the port it listens on
// 127.0.0.1:PORT; a bind that fails because the address is in use logs
// "conflict PORT WHO" instead. Lines are appended with one write each.
//
//   port_holder lease APP --log F --who W --hold-ms N [--ready FILE]
//                         [--exec-closing] [--no-listen]
//       Acquires APP through the C++ API (berth::Acquire, with the
//       environment's settings: BERTH_HOME, BERTH_RANGE) and holds it.
//       --exec-closing: hands the lease across exec (InheritAcrossExec) and
//       becomes `serve --close-fds`, a server that keeps this PID.
//   port_holder serve --port P --log F --who W --hold-ms N [--ready FILE]
//                     [--close-fds] [--start US] [--no-listen]
//       A server on port P, as `berth run` starts one: with --close-fds it
//       first closes every descriptor from 3 up (the lease lock included).
//
// --ready FILE: written (the port and a newline) once the port is held and
// bound.
// Exit status: 0 held and logged, 1 no port, 2 bad usage, 3 conflict.

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/lease.h"
#include "platform/port.h"

namespace berth {
namespace {

int64_t NowMicros() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000 + t.tv_nsec / 1000;
}

// Append writes `line` to `path` with one write (O_APPEND): lines of
// several writers never interleave.
void Append(const std::string& path, const std::string& line) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "port_holder: open %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return;
  }
  (void)!write(fd, line.data(), line.size());
  close(fd);
}

void WriteFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  Append(tmp, text);
  rename(tmp.c_str(), path.c_str());
}

struct Flags {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  bool Has(const std::string& name) const { return values.count(name) > 0; }
  std::string Get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--exec-closing" || arg == "--close-fds" ||
        arg == "--no-listen") {
      flags.values[arg.substr(2)] = "1";
    } else if (arg.rfind("--", 0) == 0 && i + 1 < argc) {
      flags.values[arg.substr(2)] = argv[++i];
    } else {
      flags.positional.push_back(arg);
    }
  }
  return flags;
}

// Hold listens on `port` for `hold_ms` and logs the span from `start`.
int Hold(uint16_t port, int64_t start, const Flags& flags) {
  const std::string log = flags.Get("log");
  const std::string who = flags.Get("who");
  absl::StatusOr<intptr_t> listening = platform::ListenTcp("127.0.0.1", port);
  if (!listening.ok()) {
    const bool in_use = absl::IsUnavailable(listening.status());
    Append(log, absl::StrCat(in_use ? "conflict " : "bindfail ", port, " ", who,
                             " ", listening.status().message(), "\n"));
    return in_use ? 3 : 1;
  }
  const int fd = static_cast<int>(*listening);
  // --no-listen: the port is held by the registry alone (a listener would
  // make berth's probe skip it and hide a registry that forgot it).
  int listener = fd;
  if (flags.Has("no-listen")) {
    close(fd);
    listener = -1;
  }
  if (flags.Has("ready")) {
    WriteFile(flags.Get("ready"), absl::StrCat(port, "\n"));
  }
  int64_t hold_ms = 0;
  if (!absl::SimpleAtoi(flags.Get("hold-ms"), &hold_ms)) hold_ms = 1000;
  struct timespec left = {static_cast<time_t>(hold_ms / 1000),
                          static_cast<long>(hold_ms % 1000) * 1000000};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
  const int64_t end = NowMicros();
  Append(log,
         absl::StrCat("span ", port, " ", start, " ", end, " ", who, "\n"));
  if (listener >= 0) close(listener);
  return 0;
}

int Serve(const Flags& flags) {
  int64_t start = 0;
  if (!flags.Has("start") || !absl::SimpleAtoi(flags.Get("start"), &start)) {
    start = NowMicros();
  }
  uint32_t port = 0;
  if (!absl::SimpleAtoi(flags.Get("port"), &port) || port == 0 ||
      port > 65535) {
    std::fprintf(stderr, "port_holder: serve: bad --port\n");
    return 2;
  }
  if (flags.Has("close-fds")) {
    // A server that "closes inherited files": the lease lock goes too.
    const long max = sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (max > 0 ? max : 1024); ++fd) close(fd);
  }
  return Hold(static_cast<uint16_t>(port), start, flags);
}

int LeaseCommand(const Flags& flags) {
  if (flags.positional.size() != 1) {
    std::fprintf(stderr, "port_holder: lease: give one APP\n");
    return 2;
  }
  absl::StatusOr<Lease> lease = Acquire(flags.positional[0]);
  if (!lease.ok()) {
    Append(flags.Get("log"), absl::StrCat("nolease ", flags.Get("who"), " ",
                                          lease.status().message(), "\n"));
    std::fprintf(stderr, "port_holder: %s\n",
                 std::string(lease.status().message()).c_str());
    return 1;
  }
  const int64_t start = NowMicros();
  if (!flags.Has("exec-closing")) return Hold(lease->port(), start, flags);

  absl::StatusOr<intptr_t> fd = lease->InheritAcrossExec();
  if (!fd.ok()) {
    std::fprintf(stderr, "port_holder: %s\n",
                 std::string(fd.status().message()).c_str());
    return 1;
  }
  const std::string port = absl::StrCat(lease->port());
  const std::string start_text = absl::StrCat(start);
  std::vector<std::string> args = {"port_holder", "serve",   "--port",
                                   port,          "--start", start_text,
                                   "--close-fds"};
  for (const char* name : {"log", "who", "hold-ms", "ready"}) {
    if (flags.Has(name)) {
      args.push_back(absl::StrCat("--", name));
      args.push_back(flags.Get(name));
    }
  }
  if (flags.Has("no-listen")) args.push_back("--no-listen");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "port_holder: exec: %s\n", std::strerror(errno));
  return 1;
}

}  // namespace
}  // namespace berth

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: port_holder lease|serve ... (see the source)\n");
    return 2;
  }
  const std::string command = argv[1];
  const berth::Flags flags = berth::ParseFlags(argc, argv);
  if (command == "lease") return berth::LeaseCommand(flags);
  if (command == "serve") return berth::Serve(flags);
  std::fprintf(stderr, "port_holder: unknown command %s\n", command.c_str());
  return 2;
}
