// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/fake_process.h: a ProcessInspector for tests of higher layers.
//
// FakeProcessInspector holds a table of made-up processes that a test edits:
// start them, kill them, leave them as zombies, reuse their PIDs, hide them
// behind permissions, or make the OS "unable to say". It follows the same
// rules as the system inspectors (platform/process.h) and passes the same
// conformance suite (platform/process_conformance_test.cc). A PID the table
// does not hold is dead. It is thread-safe.
//
//   FakeProcessInspector fake;
//   ProcessIdentity owner = fake.StartProcess("server");
//   ...                              // code under test records `owner`
//   fake.ReusePid(owner.pid);        // same PID, new start token
//   EXPECT_EQ(CheckIdentity(fake, owner), Liveness::kDead);

#ifndef BERTH_PLATFORM_FAKE_PROCESS_H_
#define BERTH_PLATFORM_FAKE_PROCESS_H_

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "platform/process.h"

namespace berth::platform {

class FakeProcessInspector final : public ProcessInspector {
 public:
  // The calling process a new fake reports, unless SetSelf says otherwise.
  static constexpr int64_t kDefaultSelfPid = 100;
  static constexpr uint64_t kDefaultSelfToken = 1;
  static constexpr char kDefaultBootId[] = "fake-boot-id";

  // A new fake holds one live process, Self() ({kDefaultSelfPid,
  // kDefaultSelfToken}, named "self"), and reports kDefaultBootId.
  FakeProcessInspector();

  // ProcessInspector. Inspect records every pid it is asked about.
  absl::StatusOr<ProcessStatus> Inspect(int64_t pid) const override;
  absl::StatusOr<ProcessIdentity> Self() const override;
  absl::StatusOr<std::string> BootId() const override;
  // The unique id given to AddProcess (0: none); NotFound for a PID the fake
  // does not hold as a running process.
  absl::StatusOr<uint64_t> UniqueId(int64_t pid) const override;
  // Every process lives in kInitialPidNamespace unless SetPidNamespace says
  // otherwise; a PID the fake does not hold is NotFound.
  absl::StatusOr<uint64_t> PidNamespace(int64_t pid) const override;
  absl::StatusOr<uint64_t> SelfPidNamespace() const override;
  // From Self's namespace when it is kInitialPidNamespace: the process set
  // with SetForeignPid for (pid_namespace, pid), else 0.
  absl::StatusOr<ForeignProcess> FindInPidNamespace(
      uint64_t pid_namespace, int64_t pid) const override;

  // SetForeignPid says that PID namespace `pid_namespace` numbers the fake's
  // process `pid` as `pid_there` (as NSpid would).
  void SetForeignPid(uint64_t pid_namespace, int64_t pid_there, int64_t pid,
                     bool same_time_namespace = true);

  // AddProcess makes `pid` a live, inspectable process with `start_token`
  // (and `unique_id`, 0 for none), replacing whatever the fake held for
  // `pid`. Returns its identity. Start tokens handed out later by
  // StartProcess/ReusePid are larger.
  ProcessIdentity AddProcess(int64_t pid, uint64_t start_token,
                             std::string name = "", uint64_t unique_id = 0);

  // SetPidNamespace puts `pid` (which the fake must hold) in PID namespace
  // `pid_namespace`; for Self's PID it also sets SelfPidNamespace.
  void SetPidNamespace(int64_t pid, uint64_t pid_namespace);

  // MakeKernelThread marks `pid` (held by the fake) as a kernel thread.
  void MakeKernelThread(int64_t pid);

  // StartProcess adds a live process with a PID the fake has never held
  // and a start token larger than any so far. Returns its identity.
  ProcessIdentity StartProcess(std::string name = "");

  // ReusePid ends whatever holds `pid` and starts a new live process there
  // with a start token larger than any so far: the old identity is then
  // dead, the returned one alive.
  ProcessIdentity ReusePid(int64_t pid, std::string name = "");

  // Kill ends `pid` and reaps it: Inspect reports kDead.
  void Kill(int64_t pid);

  // Zombify ends `pid` without reaping it: Inspect reports kDead (a zombie
  // is dead), though the PID stays taken for StartProcess.
  void Zombify(int64_t pid);

  // DenyPermission makes `pid` a process that exists but may not be
  // inspected (EPERM, ERROR_ACCESS_DENIED): Inspect reports kAlive with no
  // start token and no name. Adds `pid` when the fake does not hold it.
  void DenyPermission(int64_t pid);

  // MakeUnknown makes Inspect(pid) return {kUnknown}, as when the OS cannot
  // say. Adds `pid` when the fake does not hold it.
  void MakeUnknown(int64_t pid);

  // FailInspect makes Inspect(pid) return `error` (not OK). Adds `pid` when
  // the fake does not hold it.
  void FailInspect(int64_t pid, absl::Status error);

  // SetSelf makes Self() return `self` and adds it as a live process (as
  // AddProcess does).
  void SetSelf(const ProcessIdentity& self, std::string name = "self");

  // FailSelf makes Self() return `error` until SetSelf is called.
  void FailSelf(absl::Status error);

  // SetBootId makes BootId() return `boot_id` (a "reboot").
  void SetBootId(std::string boot_id);

  // FailBootId makes BootId() return `error` until SetBootId is called.
  void FailBootId(absl::Status error);

  // InspectedPids returns the pids passed to Inspect, in call order, also
  // the ones rejected as invalid.
  std::vector<int64_t> InspectedPids() const;

  // ClearInspectedPids forgets the pids InspectedPids would return.
  void ClearInspectedPids();

 private:
  enum class State { kRunning, kZombie, kDenied, kUnknown, kError };
  struct Entry {
    State state = State::kRunning;
    uint64_t start_token = 0;
    std::string name;
    absl::Status error;  // for kError
    uint64_t unique_id = 0;
    uint64_t pid_namespace = kInitialPidNamespace;
    bool kernel_thread = false;
  };

  uint64_t NextTokenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NoteTokenLocked(uint64_t token) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Entry& EntryLocked(int64_t pid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<int64_t, Entry> processes_ ABSL_GUARDED_BY(mu_);
  std::set<int64_t> used_pids_ ABSL_GUARDED_BY(mu_);  // ever held
  absl::StatusOr<ProcessIdentity> self_ ABSL_GUARDED_BY(mu_);
  absl::StatusOr<std::string> boot_id_ ABSL_GUARDED_BY(mu_);
  int64_t next_pid_ ABSL_GUARDED_BY(mu_) = 1000;
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 1000;
  mutable std::vector<int64_t> inspected_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<uint64_t, int64_t>, ForeignProcess> foreign_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::platform

#endif  // BERTH_PLATFORM_FAKE_PROCESS_H_
