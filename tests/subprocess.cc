// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// tests/subprocess.h: posix_spawn on POSIX, CreateProcessW on Windows.

#include "tests/subprocess.h"

#ifdef _WIN32
#include "platform/internal/win.h"
#else
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "platform/exec.h"
#include "platform/file.h"

#ifndef _WIN32
extern char** environ;
#endif

namespace berth::tests {
namespace {

#ifdef _WIN32
using platform::internal::Utf8ToWide;

std::string Narrow(const std::wstring& wide) {
  absl::StatusOr<std::string> text = platform::internal::WideToUtf8(wide);
  return text.ok() ? *std::move(text) : std::string();
}

// OutputFile opens `path` for a child's stdout or stderr: inheritable,
// created or emptied.
HANDLE OutputFile(const std::string& path) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return INVALID_HANDLE_VALUE;
  SECURITY_ATTRIBUTES inherit = {sizeof(inherit), nullptr, TRUE};
  return CreateFileW(wide->c_str(), GENERIC_WRITE,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     &inherit, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
}
#endif

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const std::vector<std::string>& argv, const Options& options) {
  if (argv.empty()) return absl::InvalidArgumentError("no program");
  std::unique_ptr<Subprocess> child(new Subprocess());
#ifdef _WIN32
  absl::StatusOr<std::wstring> program = Utf8ToWide(argv[0]);
  if (!program.ok()) return program.status();
  for (wchar_t& c : *program) {
    if (c == L'/') c = L'\\';
  }
  std::wstring full(32768, L'\0');
  const DWORD length = GetFullPathNameW(
      program->c_str(), static_cast<DWORD>(full.size()), &full[0], nullptr);
  if (length == 0 || length >= full.size()) {
    return absl::UnknownError(
        absl::StrCat("GetFullPathNameW ", argv[0], ": error ", GetLastError()));
  }
  full.resize(length);
  std::vector<std::string> args = argv;
  args[0] = Narrow(full);
  absl::StatusOr<std::wstring> command_line =
      Utf8ToWide(platform::WindowsCommandLine(args));
  if (!command_line.ok()) return command_line.status();

  STARTUPINFOW startup = {};
  startup.cb = sizeof(startup);
  HANDLE out = INVALID_HANDLE_VALUE;
  HANDLE err = INVALID_HANDLE_VALUE;
  const bool redirect =
      !options.stdout_path.empty() || !options.stderr_path.empty();
  if (redirect) {
    out = options.stdout_path.empty() ? GetStdHandle(STD_OUTPUT_HANDLE)
                                      : OutputFile(options.stdout_path);
    err = options.stderr_path.empty() ? GetStdHandle(STD_ERROR_HANDLE)
                                      : OutputFile(options.stderr_path);
    if (out == INVALID_HANDLE_VALUE || err == INVALID_HANDLE_VALUE) {
      return absl::UnknownError(
          absl::StrCat("cannot open the output files: error ", GetLastError()));
    }
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    startup.hStdOutput = out;
    startup.hStdError = err;
  }
  PROCESS_INFORMATION info = {};
  const BOOL started = platform::internal::StartProcess(
      full.c_str(), &(*command_line)[0], nullptr,
      /*inherit_handles=*/redirect, 0, &startup, &info);
  const DWORD error = GetLastError();
  if (!options.stdout_path.empty() && out != INVALID_HANDLE_VALUE) {
    CloseHandle(out);
  }
  if (!options.stderr_path.empty() && err != INVALID_HANDLE_VALUE) {
    CloseHandle(err);
  }
  if (!started) {
    return absl::UnknownError(
        absl::StrCat("CreateProcessW ", argv[0], ": error ", error));
  }
  CloseHandle(info.hThread);
  child->process_ = info.hProcess;
  child->pid_ = info.dwProcessId;
#else
  std::vector<std::string> strings = argv;
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(&s[0]);
  pointers.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!options.stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, options.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (!options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  pid_t pid;
  const int error = posix_spawn(&pid, strings[0].c_str(), &actions, nullptr,
                                pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::ErrnoToStatus(error, absl::StrCat("posix_spawn ", argv[0]));
  }
  child->pid_ = pid;
#endif
  return child;
}

Subprocess::~Subprocess() {
  if (pid_ == 0) return;
  Kill();
  Wait();
}

void Subprocess::Kill() {
  if (pid_ == 0) return;
#ifdef _WIN32
  TerminateProcess(static_cast<HANDLE>(process_), 137);
#else
  kill(static_cast<pid_t>(pid_), SIGKILL);
#endif
}

int Subprocess::Wait() {
  std::optional<int> status = WaitFor(absl::InfiniteDuration());
  return status.value_or(-1);
}

std::optional<int> Subprocess::WaitFor(absl::Duration timeout) {
  if (pid_ == 0) return exit_status_;
#ifdef _WIN32
  const DWORD ms = timeout == absl::InfiniteDuration()
                       ? INFINITE
                       : static_cast<DWORD>(absl::ToInt64Milliseconds(timeout));
  if (WaitForSingleObject(static_cast<HANDLE>(process_), ms) != WAIT_OBJECT_0) {
    return std::nullopt;
  }
  DWORD code = 0;
  GetExitCodeProcess(static_cast<HANDLE>(process_), &code);
  CloseHandle(static_cast<HANDLE>(process_));
  process_ = nullptr;
  exit_status_ = static_cast<int>(code);
#else
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done =
        waitpid(static_cast<pid_t>(pid_), &status,
                timeout == absl::InfiniteDuration() ? 0 : WNOHANG);
    if (done < 0 && errno == EINTR) continue;
    if (done != 0) break;
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(5));
  }
  exit_status_ = WIFEXITED(status)     ? WEXITSTATUS(status)
                 : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                       : -1;
#endif
  pid_ = 0;
  return exit_status_;
}

std::string TestDirectory() {
  const std::string dir = platform::JoinPath(
      ::testing::TempDir(),
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (!std::filesystem::create_directories(dir, error)) return "";
  return dir;
}

bool WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::error_code ignored;
  while (!std::filesystem::exists(path, ignored)) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

absl::Status KillProcess(int64_t pid) {
#ifdef _WIN32
  HANDLE process =
      OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
  if (process == nullptr) {
    return absl::UnknownError(
        absl::StrCat("OpenProcess ", pid, ": error ", GetLastError()));
  }
  const BOOL ended = TerminateProcess(process, 137);
  const DWORD error = GetLastError();
  CloseHandle(process);
  if (!ended) {
    return absl::UnknownError(
        absl::StrCat("TerminateProcess ", pid, ": error ", error));
  }
#else
  if (kill(static_cast<pid_t>(pid), SIGKILL) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid));
  }
#endif
  return absl::OkStatus();
}

std::string ProgramPath(const char* argv0) {
#ifdef _WIN32
  (void)argv0;
  std::wstring path(32768, L'\0');
  const DWORD length =
      GetModuleFileNameW(nullptr, &path[0], static_cast<DWORD>(path.size()));
  path.resize(length < path.size() ? length : 0);
  return Narrow(path);
#else
  const std::string path = argv0;
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
#endif
}

bool RunsUnderWine() {
#ifdef _WIN32
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr &&
         GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

}  // namespace berth::tests
