// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The conformance suite of platform/process.h: one typed test suite that the
// fake and every system inspector must pass. Each implementation comes with
// a harness that starts processes and ends them (reaped or as zombies) and
// stages PID reuse, all in the same way for every implementation, through
// the `TestProcesses` interface below.
//
// System harnesses exist for Linux, macOS and Windows. On Linux and macOS
// the harness forks children that sleep until killed (PosixProcesses). On
// Linux, PID reuse is staged in a fresh PID namespace (so PIDs are small and
// choosable through /proc/sys/kernel/ns_last_pid) with its own /proc; the
// inspection runs inside that namespace and reports back through a pipe.
// Where namespaces are not permitted the case is skipped with the reason
// printed.
//
// macOS has no PID namespaces and no way to ask for a given PID, so PID
// reuse is skipped there with the reason printed; so is the case of a
// process we may not inspect, since sysctl kern.proc.pid answers for every
// user's processes (only a sandbox refuses it). This instance is built and
// run by a macOS CI only: nothing on the Linux machines berth is developed
// on can compile for macOS.
//
// On Windows the harness's processes are this test program started again
// with BERTH_CONFORMANCE_SLEEPER set, which makes it sleep until terminated
// before gtest starts. A process that exited while the harness still holds
// a handle to it is Windows' zombie: OpenProcess still succeeds on its PID.
// Windows cannot be asked for a given PID, so PID reuse cannot be staged:
// that case is skipped with the reason printed.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "platform/fake_process.h"
#include "platform/process.h"
#if defined(__linux__)
#include "platform/testing/pid_namespace.h"
#endif

#if defined(_WIN32)
#include <map>

#include "platform/internal/win.h"
#endif

#if defined(__linux__) || defined(__APPLE__)
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#endif

#if defined(__linux__)
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

namespace berth::platform {
namespace {

#if defined(__linux__)
using ::berth::platform::testing::RunInNewPidNamespace;
using ::berth::platform::testing::WriteAll;
#endif

// TestProcesses starts and ends processes for one implementation.
class TestProcesses {
 public:
  virtual ~TestProcesses() = default;
  // Start starts a process that runs until ended; returns its PID.
  virtual absl::StatusOr<int64_t> Start() = 0;
  // StartWithPid starts a process that must get `pid`, which is free.
  // UnimplementedError where PIDs cannot be chosen.
  virtual absl::StatusOr<int64_t> StartWithPid(int64_t pid) = 0;
  // EndAndReap ends a started process and collects it: its PID is free.
  virtual absl::Status EndAndReap(int64_t pid) = 0;
  // EndWithoutReaping ends a started process and waits until it has
  // exited, without collecting it (a zombie, on POSIX).
  virtual absl::Status EndWithoutReaping(int64_t pid) = 0;
  // WaitForNewStartToken waits until a process started now gets a start
  // token different from one started before the call.
  virtual void WaitForNewStartToken() = 0;
};

// What StagePidReuse saw, reported to the test (possibly from another PID
// namespace, see Serialize/Parse).
struct PidReuseOutcome {
  std::string skipped;  // non-empty: the reason the case cannot run here
  absl::Status status;  // not OK: staging failed
  ProcessIdentity first;
  ProcessIdentity second;
  Liveness first_after_end = Liveness::kUnknown;  // Inspect after reaping
  Liveness first_check = Liveness::kUnknown;      // CheckIdentity(first)
  Liveness second_check = Liveness::kUnknown;     // CheckIdentity(second)
};

// StagePidReuse starts process A, ends and reaps it, starts process B with
// A's PID, and asks `inspector` about both identities while B runs.
PidReuseOutcome StagePidReuse(const ProcessInspector& inspector,
                              TestProcesses& processes) {
  PidReuseOutcome out;
  auto fail = [&out](absl::Status status) {
    out.status = std::move(status);
    return out;
  };
  absl::StatusOr<int64_t> a = processes.Start();
  if (!a.ok()) return fail(a.status());
  absl::StatusOr<ProcessStatus> a_status = inspector.Inspect(*a);
  if (!a_status.ok() || a_status->liveness != Liveness::kAlive ||
      !a_status->start_token.has_value()) {
    (void)processes.EndAndReap(*a);
    return fail(absl::InternalError(absl::StrCat(
        "process A (pid ", *a, ") is not alive with a start token: ",
        a_status.ok() ? LivenessName(a_status->liveness)
                      : a_status.status().ToString())));
  }
  out.first = ProcessIdentity{*a, *a_status->start_token};
  if (absl::Status s = processes.EndAndReap(*a); !s.ok()) return fail(s);
  absl::StatusOr<ProcessStatus> after = inspector.Inspect(*a);
  out.first_after_end = after.ok() ? after->liveness : Liveness::kUnknown;

  processes.WaitForNewStartToken();
  absl::StatusOr<int64_t> b = processes.StartWithPid(*a);
  if (absl::IsUnimplemented(b.status())) {
    out.skipped = std::string(b.status().message());
    return out;
  }
  if (!b.ok()) return fail(b.status());
  absl::StatusOr<ProcessStatus> b_status = inspector.Inspect(*b);
  if (b_status.ok() && b_status->start_token.has_value()) {
    out.second = ProcessIdentity{*b, *b_status->start_token};
  } else {
    out.second = ProcessIdentity{*b, 0};
  }
  out.first_check = CheckIdentity(inspector, out.first);
  out.second_check = CheckIdentity(inspector, out.second);
  if (absl::Status s = processes.EndAndReap(*b); !s.ok()) return fail(s);
  if (!b_status.ok()) return fail(b_status.status());
  return out;
}

// What a process sees of another one it may not inspect.
struct DeniedOutcome {
  std::string skipped;
  absl::Status status;
  Liveness liveness = Liveness::kUnknown;
  bool has_token = true;
};

// ---------------------------------------------------------------------------
// The fake's harness.

class FakeProcesses final : public TestProcesses {
 public:
  explicit FakeProcesses(FakeProcessInspector* fake) : fake_(fake) {}
  absl::StatusOr<int64_t> Start() override {
    return fake_->StartProcess("child").pid;
  }
  absl::StatusOr<int64_t> StartWithPid(int64_t pid) override {
    return fake_->ReusePid(pid, "child").pid;
  }
  absl::Status EndAndReap(int64_t pid) override {
    fake_->Kill(pid);
    return absl::OkStatus();
  }
  absl::Status EndWithoutReaping(int64_t pid) override {
    fake_->Zombify(pid);
    return absl::OkStatus();
  }
  void WaitForNewStartToken() override {}  // every start gets a new token

 private:
  FakeProcessInspector* fake_;
};

class FakeHarness {
 public:
  const ProcessInspector& inspector() const { return fake_; }
  int64_t SelfPid() const { return FakeProcessInspector::kDefaultSelfPid; }
  TestProcesses& processes() { return processes_; }
  int64_t UnusedPid() const { return 999999; }
  PidReuseOutcome RunPidReuse() { return StagePidReuse(fake_, processes_); }
  DeniedOutcome RunDenied() {
    const int64_t pid = fake_.StartProcess("other user's").pid;
    fake_.DenyPermission(pid);
    DeniedOutcome out;
    absl::StatusOr<ProcessStatus> status = fake_.Inspect(pid);
    out.status = status.status();
    if (status.ok()) {
      out.liveness = status->liveness;
      out.has_token = status->start_token.has_value();
    }
    return out;
  }

 private:
  FakeProcessInspector fake_;
  FakeProcesses processes_{&fake_};
};

#if defined(__linux__) || defined(__APPLE__)
// ---------------------------------------------------------------------------
// The POSIX harness's processes (Linux and macOS).

// PosixProcesses forks children that sleep until killed. `choose_pids`
// allows StartWithPid, which writes /proc/sys/kernel/ns_last_pid and so must
// only run inside a PID namespace of the test's own (Linux only).
class PosixProcesses final : public TestProcesses {
 public:
  explicit PosixProcesses(bool choose_pids) : choose_pids_(choose_pids) {}
  ~PosixProcesses() override {
    for (pid_t pid : unreaped_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }

  absl::StatusOr<int64_t> Start() override {
    const pid_t pid = fork();
    if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
    if (pid == 0) {
      for (;;) pause();
    }
    unreaped_.insert(pid);
    return pid;
  }

  absl::StatusOr<int64_t> StartWithPid(int64_t want) override {
    if (!choose_pids_) {
#if defined(__APPLE__)
      return absl::UnimplementedError(
          "macOS cannot be asked for a given PID: it has no PID namespaces "
          "and no ns_last_pid");
#else
      return absl::UnimplementedError(
          "PIDs can only be chosen inside a PID namespace of the test's own");
#endif
    }
#if defined(__linux__)
    if (absl::Status s = platform::testing::SetNextPid(want); !s.ok()) {
      return s;
    }
#endif
    absl::StatusOr<int64_t> pid = Start();
    if (pid.ok() && *pid != want) {
      (void)EndAndReap(*pid);
      return absl::InternalError(
          absl::StrCat("wanted pid ", want, ", fork gave ", *pid));
    }
    return pid;
  }

  absl::Status EndAndReap(int64_t pid) override {
    if (kill(static_cast<pid_t>(pid), SIGKILL) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid));
    }
    if (waitpid(static_cast<pid_t>(pid), nullptr, 0) < 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("waitpid ", pid));
    }
    unreaped_.erase(static_cast<pid_t>(pid));
    return absl::OkStatus();
  }

  absl::Status EndWithoutReaping(int64_t pid) override {
    if (kill(static_cast<pid_t>(pid), SIGKILL) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid));
    }
    siginfo_t info;
    std::memset(&info, 0, sizeof(info));
    // WNOWAIT: wait until it has exited, but leave it unreaped (a zombie).
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("waitid ", pid));
    }
    return absl::OkStatus();
  }

  void WaitForNewStartToken() override {
    // Linux start tokens count clock ticks, macOS's microseconds: two ticks
    // apart, they differ on both.
    const long hz = sysconf(_SC_CLK_TCK);  // NOLINT(runtime/int)
    const long ns = 2 * 1000000000L / (hz > 0 ? hz : 100);  // NOLINT
    struct timespec pause = {ns / 1000000000L, ns % 1000000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
  }

 private:
  bool choose_pids_;
  std::set<pid_t> unreaped_;
};
#endif  // defined(__linux__) || defined(__APPLE__)

#if defined(__linux__)
// ---------------------------------------------------------------------------
// The Linux system inspector's harness.

// The outcome crosses the namespace boundary as one line of numbers.
std::string Serialize(const PidReuseOutcome& out) {
  if (!out.skipped.empty()) return absl::StrCat("skip ", out.skipped);
  if (!out.status.ok()) return absl::StrCat("error ", out.status.ToString());
  return absl::StrCat("reuse ", out.first.pid, " ", out.first.start_token, " ",
                      out.second.pid, " ", out.second.start_token, " ",
                      static_cast<int>(out.first_after_end), " ",
                      static_cast<int>(out.first_check), " ",
                      static_cast<int>(out.second_check));
}

PidReuseOutcome Parse(absl::string_view text) {
  PidReuseOutcome out;
  if (absl::ConsumePrefix(&text, "skip ")) {
    out.skipped = std::string(text);
    return out;
  }
  if (absl::ConsumePrefix(&text, "error ")) {
    out.status = absl::InternalError(text);
    return out;
  }
  const std::vector<absl::string_view> f =
      absl::StrSplit(text, ' ', absl::SkipEmpty());
  int a = 0, b = 0, c = 0;
  if (f.size() != 8 || f[0] != "reuse" ||
      !absl::SimpleAtoi(f[1], &out.first.pid) ||
      !absl::SimpleAtoi(f[2], &out.first.start_token) ||
      !absl::SimpleAtoi(f[3], &out.second.pid) ||
      !absl::SimpleAtoi(f[4], &out.second.start_token) ||
      !absl::SimpleAtoi(f[5], &a) || !absl::SimpleAtoi(f[6], &b) ||
      !absl::SimpleAtoi(f[7], &c)) {
    out.status =
        absl::InternalError(absl::StrCat("cannot parse \"", text, "\""));
    return out;
  }
  out.first_after_end = static_cast<Liveness>(a);
  out.first_check = static_cast<Liveness>(b);
  out.second_check = static_cast<Liveness>(c);
  return out;
}

class LinuxSystemHarness {
 public:
  const ProcessInspector& inspector() const { return SystemProcessInspector(); }
  int64_t SelfPid() const { return getpid(); }
  TestProcesses& processes() { return processes_; }

  // UnusedPid: PIDs are below /proc/sys/kernel/pid_max.
  int64_t UnusedPid() const {
    int64_t pid_max = 4194304;  // PID_MAX_LIMIT, the largest pid_max
    if (FILE* f = std::fopen("/proc/sys/kernel/pid_max", "r")) {
      long long value = 0;  // NOLINT(runtime/int)
      if (std::fscanf(f, "%lld", &value) == 1 && value > 0) pid_max = value;
      std::fclose(f);
    }
    return pid_max;
  }

  PidReuseOutcome RunPidReuse() {
    std::string skipped;
    absl::StatusOr<std::string> text = RunInNewPidNamespace(
        "",
        [] {
          PosixProcesses processes(/*choose_pids=*/true);
          return Serialize(StagePidReuse(SystemProcessInspector(), processes));
        },
        &skipped);
    PidReuseOutcome out;
    if (!skipped.empty()) {
      out.skipped = skipped;
    } else if (!text.ok()) {
      out.status = text.status();
    } else {
      out = Parse(*text);
    }
    return out;
  }

  // RunDenied: in a namespace whose /proc hides the processes one may not
  // ptrace (hidepid=2), a process that lost its privileges inspects a
  // non-dumpable process of root's.
  DeniedOutcome RunDenied() {
    std::string skipped;
    absl::StatusOr<std::string> text = RunInNewPidNamespace(
        // Members of the gid= group see everything (default: root's group);
        // 65533 is neither root's nor nobody's.
        "hidepid=2,gid=65533", [] { return InspectWithoutPermission(); },
        &skipped);
    DeniedOutcome out;
    if (!skipped.empty()) {
      out.skipped = skipped;
      return out;
    }
    if (!text.ok()) {
      out.status = text.status();
      return out;
    }
    absl::string_view rest = *text;
    const std::vector<absl::string_view> f = absl::StrSplit(rest, ' ');
    int liveness = 0, has_token = 0;
    if (absl::ConsumePrefix(&rest, "skip ")) {
      out.skipped = std::string(rest);
    } else if (absl::ConsumePrefix(&rest, "error ")) {
      out.status = absl::InternalError(rest);
    } else if (f.size() == 4 && f[0] == "denied" &&
               absl::SimpleAtoi(f[2], &liveness) &&
               absl::SimpleAtoi(f[3], &has_token)) {
      std::printf("permission case ran as: %s\n", std::string(f[1]).c_str());
      out.liveness = static_cast<Liveness>(liveness);
      out.has_token = has_token != 0;
    } else {
      out.status =
          absl::InternalError(absl::StrCat("cannot parse \"", *text, "\""));
    }
    return out;
  }

 private:
  static constexpr uid_t kNobody = 65534;

  // DropPrivileges makes the calling process user nobody or, where that
  // user does not exist (a user namespace that maps only root, as Bazel's
  // linux-sandbox makes), root without capabilities. Returns which, or
  // nullptr.
  static const char* DropPrivileges() {
    if (setgroups(0, nullptr) == 0 && setgid(kNobody) == 0 &&
        setuid(kNobody) == 0) {
      return "nobody";
    }
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    std::memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &header, data) == 0) return "root-without-caps";
    return nullptr;
  }

  // InspectWithoutPermission runs as init of the namespace (root): it starts
  // a non-dumpable process, and a child that drops its privileges and
  // inspects it; the child's exit code carries the answer.
  static std::string InspectWithoutPermission() {
    int ready[2];
    if (pipe(ready) != 0) return absl::StrCat("error pipe: ", errno);
    const pid_t target = fork();
    if (target < 0) return absl::StrCat("error fork: ", std::strerror(errno));
    if (target == 0) {
      // Non-dumpable: only CAP_SYS_PTRACE may look, even for the same user.
      prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
      close(ready[0]);
      close(ready[1]);
      for (;;) pause();
    }
    close(ready[1]);
    char c;
    while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(ready[0]);

    int channel[2];
    if (pipe(channel) != 0) return absl::StrCat("error pipe: ", errno);
    const pid_t child = fork();
    if (child < 0) return absl::StrCat("error fork: ", std::strerror(errno));
    if (child == 0) {
      close(channel[0]);
      const char* as = DropPrivileges();
      if (as == nullptr) _exit(2);
      WriteAll(channel[1], as);
      absl::StatusOr<ProcessStatus> status =
          SystemProcessInspector().Inspect(target);
      if (!status.ok()) _exit(3);
      _exit(10 + 2 * static_cast<int>(status->liveness) +
            (status->start_token.has_value() ? 1 : 0));
    }
    close(channel[1]);
    std::string as;
    char buf[64];
    ssize_t n;
    while ((n = read(channel[0], buf, sizeof(buf))) > 0) as.append(buf, n);
    close(channel[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    kill(target, SIGKILL);
    waitpid(target, nullptr, 0);
    if (!WIFEXITED(status)) return "error the inspecting child crashed";
    const int code = WEXITSTATUS(status);
    if (code == 2) return "skip cannot drop privileges (setuid, capset)";
    if (code < 10) return absl::StrCat("error inspecting child exit ", code);
    return absl::StrCat("denied ", as, " ", (code - 10) / 2, " ",
                        (code - 10) % 2);
  }

  PosixProcesses processes_{/*choose_pids=*/false};
};
#endif  // defined(__linux__)

#if defined(__APPLE__)
// ---------------------------------------------------------------------------
// The macOS system inspector's harness (sysctl kern.proc.pid).

class MacSystemHarness {
 public:
  const ProcessInspector& inspector() const { return SystemProcessInspector(); }
  int64_t SelfPid() const { return getpid(); }
  TestProcesses& processes() { return processes_; }

  // UnusedPid: macOS hands out PIDs up to PID_MAX, 99999 (xnu's
  // bsd/sys/proc_internal.h, not in the SDK), never above.
  int64_t UnusedPid() const { return 99999 + 1; }

  // RunPidReuse stages what it can: A starts, is inspected, ends and is
  // reaped; then StartWithPid says why B cannot be given A's PID, and the
  // case is skipped with that reason.
  PidReuseOutcome RunPidReuse() {
    return StagePidReuse(SystemProcessInspector(), processes_);
  }

  DeniedOutcome RunDenied() {
    DeniedOutcome out;
    out.skipped =
        "sysctl kern.proc.pid answers for every user's processes on macOS "
        "(only a sandbox refuses it): no process here may not be inspected";
    return out;
  }

 private:
  PosixProcesses processes_{/*choose_pids=*/false};
};
#endif  // defined(__APPLE__)

#if defined(_WIN32)
// ---------------------------------------------------------------------------
// The Windows system inspector's harness.

constexpr wchar_t kSleeperVariable[] = L"BERTH_CONFORMANCE_SLEEPER";

// A process of the harness (this program, with kSleeperVariable set) sleeps
// until it is terminated, before gtest starts.
const bool kIsSleeper = [] {
  if (GetEnvironmentVariableW(kSleeperVariable, nullptr, 0) != 0) {
    for (;;) Sleep(INFINITE);
  }
  return false;
}();

absl::Status LastError(absl::string_view what) {
  return internal::WindowsErrorToStatus(GetLastError(), what);
}

// StartSleeper starts a sleeping copy of this program, with the security
// attributes `process_attributes` (nullptr: the default), and returns its
// process handle, which has every access right whatever those attributes
// say.
absl::StatusOr<PROCESS_INFORMATION> StartSleeper(
    SECURITY_ATTRIBUTES* process_attributes) {
  std::wstring path(32768, L'\0');
  const DWORD length =
      GetModuleFileNameW(nullptr, &path[0], static_cast<DWORD>(path.size()));
  if (length == 0 || length >= path.size()) {
    return LastError("GetModuleFileNameW");
  }
  path.resize(length);
  std::wstring command_line = L"\"" + path + L"\"";  // no quotes inside paths
  STARTUPINFOW startup;
  ZeroMemory(&startup, sizeof(startup));
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info;
  // The child inherits the environment; the variable is set only meanwhile.
  SetEnvironmentVariableW(kSleeperVariable, L"1");
  const BOOL created =
      internal::StartProcess(path.c_str(), &command_line[0], process_attributes,
                             /*inherit_handles=*/FALSE, 0, &startup, &info);
  const DWORD error = GetLastError();
  SetEnvironmentVariableW(kSleeperVariable, nullptr);
  if (!created) {
    SetLastError(error);
    return LastError("CreateProcessW");
  }
  CloseHandle(info.hThread);
  return info;
}

// EndProcess terminates a process and waits until it has exited.
absl::Status EndProcess(HANDLE process) {
  if (!TerminateProcess(process, 1)) return LastError("TerminateProcess");
  if (WaitForSingleObject(process, INFINITE) != WAIT_OBJECT_0) {
    return LastError("WaitForSingleObject");
  }
  return absl::OkStatus();
}

// WindowsProcesses keeps a handle to each process it started until it ends
// and "reaps" it: closing the last handle is what lets a PID go.
class WindowsProcesses final : public TestProcesses {
 public:
  ~WindowsProcesses() override {
    for (const auto& [pid, process] : handles_) {
      TerminateProcess(process, 1);
      WaitForSingleObject(process, INFINITE);
      CloseHandle(process);
    }
  }

  absl::StatusOr<int64_t> Start() override {
    absl::StatusOr<PROCESS_INFORMATION> info = StartSleeper(nullptr);
    if (!info.ok()) return info.status();
    handles_[info->dwProcessId] = info->hProcess;
    return static_cast<int64_t>(info->dwProcessId);
  }

  absl::StatusOr<int64_t> StartWithPid(int64_t) override {
    return absl::UnimplementedError(
        "Windows cannot be asked for a given process ID");
  }

  absl::Status EndAndReap(int64_t pid) override {
    auto it = handles_.find(static_cast<DWORD>(pid));
    if (it == handles_.end()) {
      return absl::NotFoundError(absl::StrCat("not started here: ", pid));
    }
    absl::Status ended = EndProcess(it->second);
    CloseHandle(it->second);
    handles_.erase(it);
    return ended;
  }

  absl::Status EndWithoutReaping(int64_t pid) override {
    auto it = handles_.find(static_cast<DWORD>(pid));
    if (it == handles_.end()) {
      return absl::NotFoundError(absl::StrCat("not started here: ", pid));
    }
    if (absl::Status ended = EndProcess(it->second); !ended.ok()) {
      return ended;
    }
    // The handle stays open, and that is what makes the case: the PID can
    // still be opened although its process has exited.
    HANDLE again = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE,
                               FALSE, static_cast<DWORD>(pid));
    if (again == nullptr) {
      return LastError(
          absl::StrCat("OpenProcess on exited process ", pid,
                       " whose handle is held (expected to succeed)"));
    }
    CloseHandle(again);
    return absl::OkStatus();
  }

  void WaitForNewStartToken() override {
    // Creation times advance with the system clock, in steps of up to a
    // timer tick (15.6 ms by default).
    Sleep(50);
  }

 private:
  std::map<DWORD, HANDLE> handles_;
};

class WindowsSystemHarness {
 public:
  const ProcessInspector& inspector() const { return SystemProcessInspector(); }
  int64_t SelfPid() const { return GetCurrentProcessId(); }
  TestProcesses& processes() { return processes_; }

  // UnusedPid: the largest multiple of 4 a DWORD holds; Windows hands out
  // process IDs from the bottom of its handle table, nowhere near it.
  int64_t UnusedPid() const { return int64_t{0xFFFFFFFC}; }

  PidReuseOutcome RunPidReuse() {
    return StagePidReuse(SystemProcessInspector(), processes_);
  }

  // RunDenied: a process started with an empty DACL grants no one
  // PROCESS_QUERY_LIMITED_INFORMATION, its owner included, unless the
  // asking token holds an enabled SeDebugPrivilege.
  DeniedOutcome RunDenied() {
    DeniedOutcome out;
    SECURITY_DESCRIPTOR descriptor;
    ACL empty;
    if (!InitializeSecurityDescriptor(&descriptor,
                                      SECURITY_DESCRIPTOR_REVISION) ||
        !InitializeAcl(&empty, sizeof(empty), ACL_REVISION) ||
        !SetSecurityDescriptorDacl(&descriptor, TRUE, &empty, FALSE)) {
      out.status = LastError("building a security descriptor");
      return out;
    }
    SECURITY_ATTRIBUTES attributes = {sizeof(attributes), &descriptor, FALSE};
    absl::StatusOr<PROCESS_INFORMATION> info = StartSleeper(&attributes);
    if (!info.ok()) {
      out.status = info.status();
      return out;
    }
    HANDLE probe = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE,
                               FALSE, info->dwProcessId);
    if (probe != nullptr) {
      CloseHandle(probe);
      out.skipped =
          "OpenProcess succeeds on a process whose DACL is empty (wine "
          "checks no process access; on Windows, an enabled "
          "SeDebugPrivilege): no process here may not be inspected";
    } else {
      absl::StatusOr<ProcessStatus> status =
          SystemProcessInspector().Inspect(info->dwProcessId);
      out.status = status.status();
      if (status.ok()) {
        out.liveness = status->liveness;
        out.has_token = status->start_token.has_value();
      }
    }
    absl::Status ended = EndProcess(info->hProcess);
    CloseHandle(info->hProcess);
    if (out.status.ok() && !ended.ok()) out.status = ended;
    return out;
  }

 private:
  WindowsProcesses processes_;
};
#endif  // defined(_WIN32)

// ---------------------------------------------------------------------------
// The suite.

template <typename Harness>
class ProcessConformanceTest : public ::testing::Test {
 protected:
  Harness harness_;
};

#if defined(__linux__)
using Implementations = ::testing::Types<FakeHarness, LinuxSystemHarness>;
#elif defined(__APPLE__)
using Implementations = ::testing::Types<FakeHarness, MacSystemHarness>;
#elif defined(_WIN32)
using Implementations = ::testing::Types<FakeHarness, WindowsSystemHarness>;
#else
using Implementations = ::testing::Types<FakeHarness>;
#endif

class ImplementationNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same<T, FakeHarness>()) return "Fake";
    return "System";
  }
};

TYPED_TEST_SUITE(ProcessConformanceTest, Implementations, ImplementationNames);

TYPED_TEST(ProcessConformanceTest, CallingProcessIsAliveWithStableToken) {
  const ProcessInspector& inspector = this->harness_.inspector();
  absl::StatusOr<ProcessStatus> status =
      inspector.Inspect(this->harness_.SelfPid());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->liveness, Liveness::kAlive);
  ASSERT_TRUE(status->start_token.has_value());
  EXPECT_FALSE(status->name.empty());

  absl::StatusOr<ProcessIdentity> self = inspector.Self();
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(self->pid, this->harness_.SelfPid());
  EXPECT_EQ(self->start_token, *status->start_token);
  absl::StatusOr<ProcessIdentity> again = inspector.Self();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *self);
  EXPECT_EQ(CheckIdentity(inspector, *self), Liveness::kAlive);
}

TYPED_TEST(ProcessConformanceTest, AnotherTokenForALivePidIsDead) {
  const ProcessInspector& inspector = this->harness_.inspector();
  absl::StatusOr<ProcessIdentity> self = inspector.Self();
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(CheckIdentity(inspector, {self->pid, self->start_token + 1}),
            Liveness::kDead);
  EXPECT_EQ(CheckIdentity(inspector, {self->pid, self->start_token - 1}),
            Liveness::kDead);
}

TYPED_TEST(ProcessConformanceTest, StartedProcessIsAlive) {
  const ProcessInspector& inspector = this->harness_.inspector();
  absl::StatusOr<int64_t> pid = this->harness_.processes().Start();
  ASSERT_TRUE(pid.ok()) << pid.status();
  absl::StatusOr<ProcessStatus> status = inspector.Inspect(*pid);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->liveness, Liveness::kAlive);
  ASSERT_TRUE(status->start_token.has_value());
  EXPECT_FALSE(status->name.empty());
  EXPECT_EQ(CheckIdentity(inspector, {*pid, *status->start_token}),
            Liveness::kAlive);
  ASSERT_TRUE(this->harness_.processes().EndAndReap(*pid).ok());
}

TYPED_TEST(ProcessConformanceTest, ReapedChildIsDead) {
  const ProcessInspector& inspector = this->harness_.inspector();
  absl::StatusOr<int64_t> pid = this->harness_.processes().Start();
  ASSERT_TRUE(pid.ok()) << pid.status();
  absl::StatusOr<ProcessStatus> before = inspector.Inspect(*pid);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->liveness, Liveness::kAlive);
  ASSERT_TRUE(before->start_token.has_value());

  absl::Status ended = this->harness_.processes().EndAndReap(*pid);
  ASSERT_TRUE(ended.ok()) << ended;
  absl::StatusOr<ProcessStatus> after = inspector.Inspect(*pid);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->liveness, Liveness::kDead);
  EXPECT_FALSE(after->start_token.has_value());
  EXPECT_EQ(CheckIdentity(inspector, {*pid, *before->start_token}),
            Liveness::kDead);
}

TYPED_TEST(ProcessConformanceTest, UnreapedChildIsDead) {
  const ProcessInspector& inspector = this->harness_.inspector();
  absl::StatusOr<int64_t> pid = this->harness_.processes().Start();
  ASSERT_TRUE(pid.ok()) << pid.status();
  absl::StatusOr<ProcessStatus> before = inspector.Inspect(*pid);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->liveness, Liveness::kAlive);
  ASSERT_TRUE(before->start_token.has_value());

  absl::Status ended = this->harness_.processes().EndWithoutReaping(*pid);
  ASSERT_TRUE(ended.ok()) << ended;
  absl::StatusOr<ProcessStatus> after = inspector.Inspect(*pid);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->liveness, Liveness::kDead);
  EXPECT_EQ(CheckIdentity(inspector, {*pid, *before->start_token}),
            Liveness::kDead);
  // The zombie still holds its PID; the harness reaps it at the end.
}

TYPED_TEST(ProcessConformanceTest, NonexistentPidIsDead) {
  const ProcessInspector& inspector = this->harness_.inspector();
  for (int64_t pid : {this->harness_.UnusedPid(),
                      int64_t{std::numeric_limits<int32_t>::max()},
                      int64_t{std::numeric_limits<uint32_t>::max()} + 1,
                      std::numeric_limits<int64_t>::max()}) {
    SCOPED_TRACE(pid);
    absl::StatusOr<ProcessStatus> status = inspector.Inspect(pid);
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(status->liveness, Liveness::kDead);
    EXPECT_FALSE(status->start_token.has_value());
    EXPECT_EQ(CheckIdentity(inspector, {pid, 1}), Liveness::kDead);
  }
}

TYPED_TEST(ProcessConformanceTest, NonPositivePidIsInvalidArgument) {
  const ProcessInspector& inspector = this->harness_.inspector();
  for (int64_t pid : {int64_t{0}, int64_t{-1}, int64_t{-4},
                      std::numeric_limits<int64_t>::min()}) {
    SCOPED_TRACE(pid);
    EXPECT_EQ(inspector.Inspect(pid).status().code(),
              absl::StatusCode::kInvalidArgument);
    // An error says nothing about the process: unknown, never dead.
    EXPECT_EQ(CheckIdentity(inspector, {pid, 1}), Liveness::kUnknown);
  }
}

TYPED_TEST(ProcessConformanceTest, BootIdIsStable) {
  const ProcessInspector& inspector = this->harness_.inspector();
  absl::StatusOr<std::string> first = inspector.BootId();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->empty());
  absl::StatusOr<std::string> second = inspector.BootId();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*first, *second);
}

TYPED_TEST(ProcessConformanceTest, ReusedPidIsAnotherProcess) {
  const PidReuseOutcome out = this->harness_.RunPidReuse();
  if (!out.skipped.empty()) {
    std::printf("SKIPPED PID reuse: %s\n", out.skipped.c_str());
    GTEST_SKIP() << "PID reuse cannot be staged here: " << out.skipped;
  }
  ASSERT_TRUE(out.status.ok()) << out.status;
  ASSERT_EQ(out.first.pid, out.second.pid) << "the PID was not reused";
  EXPECT_NE(out.first.start_token, out.second.start_token);
  EXPECT_EQ(out.first_after_end, Liveness::kDead);
  EXPECT_EQ(out.first_check, Liveness::kDead)
      << "the first process's identity still matches after its PID was reused";
  EXPECT_EQ(out.second_check, Liveness::kAlive);
}

TYPED_TEST(ProcessConformanceTest, UninspectableProcessIsAliveWithoutToken) {
  const DeniedOutcome out = this->harness_.RunDenied();
  if (!out.skipped.empty()) {
    std::printf("SKIPPED permission case: %s\n", out.skipped.c_str());
    GTEST_SKIP() << "no process we may not inspect: " << out.skipped;
  }
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.liveness, Liveness::kAlive);
  EXPECT_FALSE(out.has_token);
}

}  // namespace
}  // namespace berth::platform
