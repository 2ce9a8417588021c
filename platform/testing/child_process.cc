// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/testing/child_process.h"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
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

namespace berth::platform::testing {
namespace {

#ifdef _WIN32
std::wstring Wide(const std::string& s) {
  if (s.empty()) return std::wstring();
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(),
                                    static_cast<int>(s.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), &out[0],
                      n);
  return out;
}

// Quote quotes one argument so that the C runtime splits it back out.
std::wstring Quote(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    return arg;
  }
  std::wstring out = L"\"";
  size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    out.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    out.push_back(c);
  }
  out.append(backslashes * 2, L'\\');
  out.push_back(L'"');
  return out;
}
#endif

}  // namespace

absl::StatusOr<std::string> SelfPath() {
#ifdef _WIN32
  std::wstring path(32768, L'\0');
  const DWORD n =
      GetModuleFileNameW(nullptr, &path[0], static_cast<DWORD>(path.size()));
  if (n == 0 || n >= path.size()) {
    return absl::UnknownError(
        absl::StrCat("GetModuleFileNameW: error ", GetLastError()));
  }
  const int size =
      WideCharToMultiByte(CP_UTF8, 0, path.data(), static_cast<int>(n), nullptr,
                          0, nullptr, nullptr);
  std::string out(static_cast<size_t>(size), '\0');
  WideCharToMultiByte(CP_UTF8, 0, path.data(), static_cast<int>(n), &out[0],
                      size, nullptr, nullptr);
  return out;
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
  std::wstring command_line;
  for (const std::string& arg : argv) {
    if (!command_line.empty()) command_line += L" ";
    command_line += Quote(Wide(arg));
  }
  STARTUPINFOW startup;
  ZeroMemory(&startup, sizeof(startup));
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info;
  const std::wstring program = Wide(argv[0]);
  if (!CreateProcessW(program.c_str(), &command_line[0], nullptr, nullptr,
                      FALSE, 0, nullptr, nullptr, &startup, &info)) {
    return absl::UnknownError(
        absl::StrCat("CreateProcessW ", argv[0], ": error ", GetLastError()));
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
