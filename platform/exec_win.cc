// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Windows has no exec: the program runs as a child of berth, in a job object
// whose last handle (berth's) kills it, so the child never outlives berth
// and berth never outlives the child unnoticed.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "platform/exec.h"
#include "platform/internal/win.h"

// After windows.h (internal/win.h): CommandLineToArgvW.
#include <shellapi.h>

namespace berth::platform {
namespace {

absl::Status SpawnError(DWORD err, const std::string& program) {
  switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
      return absl::NotFoundError(absl::StrCat(program, ": command not found"));
    case ERROR_ACCESS_DENIED:
      return absl::PermissionDeniedError(
          absl::StrCat(program, ": permission denied"));
    default:
      return absl::FailedPreconditionError(absl::StrCat(
          program, ": cannot execute: ", internal::WindowsErrorText(err)));
  }
}

// StartError says which call failed while setting the program up (an
// Unknown error, whatever the code: it is no fault of the request).
absl::Status StartError(absl::string_view call) {
  return absl::UnknownError(
      absl::StrCat(call, ": ", internal::WindowsErrorText(GetLastError())));
}

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
  // Every string is converted before anything is changed: text that is not
  // valid UTF-8 is refused, never passed on mangled.
  std::vector<std::pair<std::wstring, std::wstring>> env;
  for (const auto& [name, value] : request.env) {
    absl::StatusOr<std::wstring> wide_name = internal::Utf8ToWide(name);
    if (!wide_name.ok()) return wide_name.status();
    absl::StatusOr<std::wstring> wide_value = internal::Utf8ToWide(value);
    if (!wide_value.ok()) return wide_value.status();
    env.emplace_back(*std::move(wide_name), *std::move(wide_value));
  }
  absl::StatusOr<std::wstring> command_line =
      internal::Utf8ToWide(WindowsCommandLine(request.argv));
  if (!command_line.ok()) return command_line.status();
  for (const auto& [name, value] : env) {
    if (!SetEnvironmentVariableW(name.c_str(), value.c_str())) {
      return StartError("SetEnvironmentVariableW");
    }
  }

  internal::ScopedHandle job(CreateJobObjectW(nullptr, nullptr));
  if (!job.valid()) return StartError("CreateJobObjectW");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation,
                               &limits, sizeof(limits))) {
    return StartError("SetInformationJobObject");
  }

  STARTUPINFOW startup = {};
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info = {};
  // Handles marked inheritable (the lease lock) pass to the child too.
  if (!internal::StartProcess(nullptr, command_line->data(), nullptr,
                              /*inherit_handles=*/TRUE, CREATE_SUSPENDED,
                              &startup, &info)) {
    return SpawnError(GetLastError(), request.argv[0]);
  }
  internal::ScopedHandle process(info.hProcess);
  internal::ScopedHandle thread(info.hThread);
  if (!AssignProcessToJobObject(job.get(), process.get())) {
    const absl::Status status = StartError("AssignProcessToJobObject");
    TerminateProcess(process.get(), 1);
    return status;
  }
  ResumeThread(thread.get());
  // Ctrl-C reaches the child through the console; berth waits for it to
  // finish rather than dying first.
  SetConsoleCtrlHandler(nullptr, TRUE);
  WaitForSingleObject(process.get(), INFINITE);
  DWORD code = 1;
  if (!GetExitCodeProcess(process.get(), &code)) {
    return StartError("GetExitCodeProcess");
  }
  return static_cast<int>(code);
}

absl::StatusOr<std::vector<std::string>> ProgramArguments(int argc,
                                                          char** argv) {
  int count = 0;
  LPWSTR* wide = CommandLineToArgvW(GetCommandLineW(), &count);
  if (wide == nullptr) {
    return internal::WindowsErrorToStatus(GetLastError(), "CommandLineToArgvW");
  }
  std::vector<std::string> args;
  absl::Status status;
  for (int i = 1; i < count && status.ok(); ++i) {
    absl::StatusOr<std::string> arg = internal::WideToUtf8(wide[i]);
    if (arg.ok()) {
      args.push_back(*std::move(arg));
    } else {
      status = absl::InvalidArgumentError(
          absl::StrCat("argument ", i, ": ", arg.status().message()));
    }
  }
  LocalFree(wide);
  if (!status.ok()) return status;
  // The C runtime and CommandLineToArgvW split alike; should they ever
  // not, argv is what the program was written against.
  if (args.size() + 1 != static_cast<size_t>(argc)) {
    return std::vector<std::string>(argv + 1, argv + argc);
  }
  return args;
}

}  // namespace berth::platform
