// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Windows has no exec: the program runs as a child of berth, in a job object
// whose last handle (berth's) kills it, so the child never outlives berth
// and berth never outlives the child unnoticed.

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/exec.h"

namespace berth::platform {
namespace {

std::wstring Wide(const std::string& s) {
  if (s.empty()) return std::wstring();
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(),
                                    static_cast<int>(s.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()),
                      out.data(), n);
  return out;
}

// QuoteArg quotes one argument the way CommandLineToArgvW and the C runtime
// split it again: backslashes are literal unless they precede a quote.
std::wstring QuoteArg(const std::wstring& arg) {
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
    if (c == L'"') {
      out.append(backslashes * 2 + 1, L'\\');
    } else {
      out.append(backslashes, L'\\');
    }
    backslashes = 0;
    out.push_back(c);
  }
  out.append(backslashes * 2, L'\\');
  out.push_back(L'"');
  return out;
}

absl::Status SpawnError(DWORD err, const std::string& program) {
  switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
      return absl::NotFoundError(absl::StrCat(program, ": command not found"));
    case ERROR_ACCESS_DENIED:
      return absl::PermissionDeniedError(
          absl::StrCat(program, ": permission denied"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat(program, ": cannot execute: error ", err));
  }
}

class Handle {
 public:
  explicit Handle(HANDLE h = nullptr) : h_(h) {}
  ~Handle() {
    if (h_ != nullptr && h_ != INVALID_HANDLE_VALUE) CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return h_; }

 private:
  HANDLE h_;
};

}  // namespace

bool CanHandOverSockets() { return false; }

bool CanReplaceProcess() { return false; }

absl::Status ReplaceProcess(const ExecRequest&) {
  return absl::UnimplementedError(
      "Windows cannot replace a process; use SpawnAndWait");
}

absl::StatusOr<int> SpawnAndWait(const ExecRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return absl::InvalidArgumentError("no program to run");
  }
  if (!request.listen_sockets.empty()) {
    return absl::UnimplementedError(
        "handing over a listening socket is not supported on Windows");
  }
  for (const auto& [name, value] : request.env) {
    if (!SetEnvironmentVariableW(Wide(name).c_str(), Wide(value).c_str())) {
      return absl::UnknownError(absl::StrCat("SetEnvironmentVariableW ", name,
                                             ": error ", GetLastError()));
    }
  }
  std::wstring command_line;
  for (const std::string& arg : request.argv) {
    if (!command_line.empty()) command_line.push_back(L' ');
    command_line += QuoteArg(Wide(arg));
  }

  Handle job(CreateJobObjectW(nullptr, nullptr));
  if (job.get() == nullptr) {
    return absl::UnknownError(
        absl::StrCat("CreateJobObjectW: error ", GetLastError()));
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation,
                               &limits, sizeof(limits))) {
    return absl::UnknownError(
        absl::StrCat("SetInformationJobObject: error ", GetLastError()));
  }

  STARTUPINFOW startup = {};
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info = {};
  // Handles marked inheritable (the lease lock) pass to the child too.
  if (!CreateProcessW(nullptr, command_line.data(), nullptr, nullptr,
                      /*bInheritHandles=*/TRUE, CREATE_SUSPENDED, nullptr,
                      nullptr, &startup, &info)) {
    return SpawnError(GetLastError(), request.argv[0]);
  }
  Handle process(info.hProcess);
  Handle thread(info.hThread);
  if (!AssignProcessToJobObject(job.get(), process.get())) {
    const DWORD err = GetLastError();
    TerminateProcess(process.get(), 1);
    return absl::UnknownError(
        absl::StrCat("AssignProcessToJobObject: error ", err));
  }
  ResumeThread(thread.get());
  // Ctrl-C reaches the child through the console; berth waits for it to
  // finish rather than dying first.
  SetConsoleCtrlHandler(nullptr, TRUE);
  WaitForSingleObject(process.get(), INFINITE);
  DWORD code = 1;
  if (!GetExitCodeProcess(process.get(), &code)) {
    return absl::UnknownError(
        absl::StrCat("GetExitCodeProcess: error ", GetLastError()));
  }
  return static_cast<int>(code);
}

}  // namespace berth::platform
