// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/testing/child_process.h"

#ifdef _WIN32
#include "platform/internal/win.h"
#else
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif
extern char** environ;
#endif

#include <cerrno>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/exec.h"

namespace berth::platform::testing {

absl::StatusOr<std::string> SelfPath() {
#ifdef _WIN32
  std::wstring path(32768, L'\0');
  const DWORD n =
      GetModuleFileNameW(nullptr, &path[0], static_cast<DWORD>(path.size()));
  if (n == 0 || n >= path.size()) {
    return internal::WindowsErrorToStatus(GetLastError(), "GetModuleFileNameW");
  }
  return internal::WideToUtf8(std::wstring_view(path.data(), n));
#elif defined(__APPLE__)
  char path[4096];
  uint32_t size = sizeof(path);
  if (_NSGetExecutablePath(path, &size) != 0) {
    return absl::UnknownError("_NSGetExecutablePath: path too long");
  }
  return std::string(path);
#else
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return absl::ErrnoToStatus(errno, "readlink /proc/self/exe");
  return std::string(path, static_cast<size_t>(n));
#endif
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to start");
  std::unique_ptr<ChildProcess> child(new ChildProcess());
#ifdef _WIN32
  absl::StatusOr<std::wstring> command_line =
      internal::Utf8ToWide(WindowsCommandLine(argv));
  absl::StatusOr<std::wstring> program = internal::Utf8ToWide(argv[0]);
  if (!command_line.ok()) return command_line.status();
  if (!program.ok()) return program.status();
  STARTUPINFOW startup;
  ZeroMemory(&startup, sizeof(startup));
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info;
  if (!internal::StartProcess(program->c_str(), &(*command_line)[0], nullptr,
                              /*inherit_handles=*/FALSE, 0, &startup, &info)) {
    return internal::WindowsErrorToStatus(
        GetLastError(), absl::StrCat("CreateProcessW ", argv[0]));
  }
  CloseHandle(info.hThread);
  child->process_ = reinterpret_cast<intptr_t>(info.hProcess);
  child->pid_ = info.dwProcessId;
#else
  std::vector<std::string> strings = argv;
  std::vector<char*> args;
  for (std::string& s : strings) args.push_back(&s[0]);
  args.push_back(nullptr);
  pid_t pid;
  if (const int error =
          posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ);
      error != 0) {
    return absl::ErrnoToStatus(error, absl::StrCat("posix_spawn ", argv[0]));
  }
  child->pid_ = pid;
#endif
  return child;
}

ChildProcess::~ChildProcess() {
  if (!collected_) {
    Kill();
    Wait();
  }
}

void ChildProcess::Kill() {
  if (collected_) return;
#ifdef _WIN32
  TerminateProcess(reinterpret_cast<HANDLE>(process_), 137);
#else
  kill(static_cast<pid_t>(pid_), SIGKILL);
#endif
}

int ChildProcess::Wait() {
  if (collected_) return exit_code_;
#ifdef _WIN32
  const HANDLE h = reinterpret_cast<HANDLE>(process_);
  WaitForSingleObject(h, INFINITE);
  DWORD code = 0;
  GetExitCodeProcess(h, &code);
  CloseHandle(h);
  exit_code_ = static_cast<int>(code);
#else
  int status = 0;
  while (waitpid(static_cast<pid_t>(pid_), &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = WIFEXITED(status)     ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : -1;
#endif
  collected_ = true;
  return exit_code_;
}

}  // namespace berth::platform::testing
