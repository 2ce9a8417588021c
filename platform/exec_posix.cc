// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/exec.h on Linux and macOS. Both ways of starting the program
// share one last step, done in the process that becomes it: move the
// descriptors to keep out of the way, put the listening sockets on 3, 4,
// ..., and execve each place PATH offers, in order, as execvp does. It uses
// only async-signal-safe calls, since after fork() in a threaded process
// nothing else is allowed; everything it needs (the environment, the places
// to try) is built before.

#include "platform/internal/exec_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "platform/exec.h"

extern char** environ;

namespace berth::platform {
namespace {

constexpr int kFirstListenFd = 3;  // SD_LISTEN_FDS_START
constexpr char kListenPid[] = "LISTEN_PID=";
// Room for any PID's digits after "LISTEN_PID=".
constexpr size_t kPidDigits = 20;

absl::Status ExecError(int err, const std::string& program) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat(program, ": command not found"));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(
          absl::StrCat(program, ": permission denied (not executable)"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat(program, ": cannot execute: ", std::strerror(err)));
  }
}

// Prepared is everything the last step needs, built beforehand.
struct Prepared {
  std::vector<std::string> places;  // where to look for the program
  std::vector<std::string> argv_storage;
  std::vector<char*> argv;
  std::vector<std::string> env_storage;
  std::vector<char*> envp;
  char* listen_pid = nullptr;  // the digits of LISTEN_PID, filled in last
  std::vector<int> sockets;
  std::vector<int> keep;
};

// Places lists where execvp would look for `program`: itself when it holds
// a '/', else each directory of PATH (empty entries are the current
// directory; no PATH means the confstr default).
std::vector<std::string> Places(const std::string& program) {
  if (program.find('/') != std::string::npos) return {program};
  std::string path;
  if (const char* env = std::getenv("PATH"); env != nullptr) {
    path = env;
  } else {
    path = "/bin:/usr/bin";
  }
  std::vector<std::string> places;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    places.push_back(dir.empty() ? program : absl::StrCat(dir, "/", program));
  }
  return places;
}

Prepared Prepare(const ExecRequest& request) {
  Prepared p;
  p.places = Places(request.argv[0]);
  p.argv_storage = request.argv;
  for (std::string& arg : p.argv_storage) p.argv.push_back(&arg[0]);
  p.argv.push_back(nullptr);

  // The environment: ours, without the variables we set, then those.
  std::vector<std::string> ours;
  for (const auto& [name, value] : request.env) {
    ours.push_back(absl::StrCat(name, "=", value));
  }
  const bool sockets = !request.listen_sockets.empty();
  // Never pass on socket activation variables meant for berth itself.
  auto replaced = [&](absl::string_view entry) {
    for (absl::string_view name :
         {"LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES="}) {
      if (absl::StartsWith(entry, name)) return true;
    }
    for (const auto& [name, value] : request.env) {
      if (absl::StartsWith(entry, absl::StrCat(name, "="))) return true;
    }
    return false;
  };
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!replaced(*e)) p.env_storage.emplace_back(*e);
  }
  for (std::string& e : ours) p.env_storage.push_back(std::move(e));
  if (sockets) {
    p.env_storage.push_back(
        absl::StrCat("LISTEN_FDS=", request.listen_sockets.size()));
    p.env_storage.push_back(
        absl::StrCat("LISTEN_FDNAMES=", ListenFdNames(request.listen_names)));
    p.env_storage.push_back(
        absl::StrCat(kListenPid, std::string(kPidDigits, '\0')));
  }
  for (std::string& e : p.env_storage) p.envp.push_back(&e[0]);
  p.envp.push_back(nullptr);
  if (sockets) p.listen_pid = &p.env_storage.back()[sizeof(kListenPid) - 1];
  for (intptr_t s : request.listen_sockets) p.sockets.push_back(int(s));
  for (intptr_t k : request.keep) p.keep.push_back(int(k));
  return p;
}

// WritePid writes `pid` in decimal at `out` (async-signal-safe).
void WritePid(pid_t pid, char* out) {
  char digits[kPidDigits];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid > 0 && n < kPidDigits - 1);
  for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
}

// BecomeProgram is the last step: returns the errno of the failure (it
// returns only on failure). Async-signal-safe.
int BecomeProgram(Prepared& p) {
  const int count = static_cast<int>(p.sockets.size());
  if (count > 0) {
    const int end = kFirstListenFd + count;
    // Descriptors in the way of the sockets move above them first; the
    // copies share their open files, so a lock on them stays held.
    auto move_up = [&](int& fd) {
      if (fd < kFirstListenFd || fd >= end) return 0;
      const int moved = fcntl(fd, F_DUPFD, end);
      if (moved < 0) return errno;
      fd = moved;
      return 0;
    };
    for (int& fd : p.keep) {
      if (int err = move_up(fd)) return err;
    }
    for (int& fd : p.sockets) {
      if (int err = move_up(fd)) return err;
    }
    for (int i = 0; i < count; ++i) {
      if (dup2(p.sockets[i], kFirstListenFd + i) < 0) return errno;
      if (fcntl(kFirstListenFd + i, F_SETFD, 0) != 0) return errno;
    }
    for (int fd : p.sockets) {
      if (fd >= end) close(fd);
    }
    WritePid(getpid(), p.listen_pid);
  }
  int failure = ENOENT;
  for (const std::string& place : p.places) {
    execve(place.c_str(), p.argv.data(), p.envp.data());
    switch (errno) {
      case ENOENT:
      case ENOTDIR:
      case ENAMETOOLONG:
        continue;  // not here: look on
      case EACCES:
        failure = EACCES;  // remember, as execvp does, and look on
        continue;
      default:
        return errno;
    }
  }
  return failure;
}

// The child SpawnAndWait waits for; signals to pass on go there.
std::atomic<pid_t> forward_to{0};

constexpr int kForwarded[] = {SIGTERM, SIGINT,  SIGHUP,
                              SIGQUIT, SIGUSR1, SIGUSR2};

void Forward(int signal, siginfo_t* info, void*) {
  // Sent by a process (kill, si_code <= 0): pass it on. From the terminal
  // (si_code > 0), the child, in the same process group, has it already.
  const pid_t child = forward_to.load();
  if (child > 0 && (info == nullptr || info->si_code <= 0)) kill(child, signal);
}

}  // namespace

bool CanHandOverSockets() { return true; }

absl::StatusOr<std::vector<std::string>> ProgramArguments(int argc,
                                                          char** argv) {
  return std::vector<std::string>(argv + 1, argv + argc);
}

bool CanReplaceProcess() { return true; }

absl::Status ReplaceProcess(const ExecRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return absl::InvalidArgumentError("no program to run");
  }
  Prepared p = Prepare(request);
  const int err = BecomeProgram(p);
  return ExecError(err, request.argv[0]);
}

absl::StatusOr<int> SpawnAndWait(const ExecRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return absl::InvalidArgumentError("no program to run");
  }
  Prepared p = Prepare(request);
  // The child reports a failed exec through this pipe; a successful exec
  // closes it (close-on-exec).
  int report[2];
  if (pipe(report) != 0) return absl::ErrnoToStatus(errno, "pipe");
  fcntl(report[0], F_SETFD, FD_CLOEXEC);
  fcntl(report[1], F_SETFD, FD_CLOEXEC);

  // Signals wait until the child's PID is known, then go to it.
  sigset_t forwarded, previous_mask;
  sigemptyset(&forwarded);
  for (int s : kForwarded) sigaddset(&forwarded, s);
  sigprocmask(SIG_BLOCK, &forwarded, &previous_mask);
  struct sigaction previous[sizeof(kForwarded) / sizeof(kForwarded[0])];
  for (size_t i = 0; i < sizeof(kForwarded) / sizeof(kForwarded[0]); ++i) {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_sigaction = Forward;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(kForwarded[i], &action, &previous[i]);
  }
  auto restore = [&] {
    forward_to.store(0);
    for (size_t i = 0; i < sizeof(kForwarded) / sizeof(kForwarded[0]); ++i) {
      sigaction(kForwarded[i], &previous[i], nullptr);
    }
    sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
  };

  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) {
    const int err = errno;
    restore();
    close(report[0]);
    close(report[1]);
    return absl::ErrnoToStatus(err, "fork");
  }
  if (child == 0) {
    // Dispositions and the mask as they were before: exec keeps the mask.
    for (size_t i = 0; i < sizeof(kForwarded) / sizeof(kForwarded[0]); ++i) {
      sigaction(kForwarded[i], &previous[i], nullptr);
    }
    sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
    internal::DieWithParent();
    if (getppid() != parent) _exit(127);  // the parent is gone already
    int err = BecomeProgram(p);
    while (write(report[1], &err, sizeof(err)) < 0 && errno == EINTR) {
    }
    _exit(127);
  }
  forward_to.store(child);
  sigprocmask(SIG_SETMASK, &previous_mask, nullptr);  // deliver what waited
  close(report[1]);
  int err = 0;
  ssize_t n;
  do {
    n = read(report[0], &err, sizeof(err));
  } while (n < 0 && errno == EINTR);
  close(report[0]);

  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  restore();
  if (n == static_cast<ssize_t>(sizeof(err))) {
    return ExecError(err, request.argv[0]);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace berth::platform
