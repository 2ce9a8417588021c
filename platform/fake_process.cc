// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/fake_process.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace berth::platform {

FakeProcessInspector::FakeProcessInspector()
    : self_(ProcessIdentity{kDefaultSelfPid, kDefaultSelfToken}),
      boot_id_(std::string(kDefaultBootId)) {
  absl::MutexLock lock(&mu_);
  EntryLocked(kDefaultSelfPid) =
      Entry{State::kRunning, kDefaultSelfToken, "self", absl::OkStatus()};
  NoteTokenLocked(kDefaultSelfToken);
}

absl::StatusOr<ProcessStatus> FakeProcessInspector::Inspect(int64_t pid) const {
  absl::MutexLock lock(&mu_);
  inspected_.push_back(pid);
  if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
  const auto it = processes_.find(pid);
  if (it == processes_.end()) return ProcessStatus{Liveness::kDead, {}, {}};
  const Entry& entry = it->second;
  switch (entry.state) {
    case State::kRunning: {
      ProcessStatus status{Liveness::kAlive, entry.start_token, entry.name};
      status.kernel_thread = entry.kernel_thread;
      return status;
    }
    case State::kZombie:
      return ProcessStatus{Liveness::kDead, {}, {}};
    case State::kDenied:
      return ProcessStatus{Liveness::kAlive, {}, {}};
    case State::kUnknown:
      return ProcessStatus{Liveness::kUnknown, {}, {}};
    case State::kError:
      return entry.error;
  }
  return absl::InternalError("FakeProcessInspector: bad state");
}

absl::StatusOr<ProcessIdentity> FakeProcessInspector::Self() const {
  absl::MutexLock lock(&mu_);
  return self_;
}

absl::StatusOr<std::string> FakeProcessInspector::BootId() const {
  absl::MutexLock lock(&mu_);
  return boot_id_;
}

absl::StatusOr<uint64_t> FakeProcessInspector::UniqueId(int64_t pid) const {
  absl::MutexLock lock(&mu_);
  if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
  const auto it = processes_.find(pid);
  if (it == processes_.end() || it->second.state == State::kZombie) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  return it->second.unique_id;
}

absl::StatusOr<uint64_t> FakeProcessInspector::PidNamespace(int64_t pid) const {
  absl::MutexLock lock(&mu_);
  if (absl::Status bad = CheckPid(pid); !bad.ok()) return bad;
  const auto it = processes_.find(pid);
  if (it == processes_.end()) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  return it->second.pid_namespace;
}

absl::StatusOr<uint64_t> FakeProcessInspector::SelfPidNamespace() const {
  int64_t self;
  {
    absl::MutexLock lock(&mu_);
    if (!self_.ok()) return self_.status();
    self = self_->pid;
  }
  return PidNamespace(self);
}

absl::StatusOr<ForeignProcess> FakeProcessInspector::FindInPidNamespace(
    uint64_t pid_namespace, int64_t pid) const {
  absl::StatusOr<uint64_t> self = SelfPidNamespace();
  if (!self.ok() || *self != kInitialPidNamespace) {
    return absl::FailedPreconditionError(
        "only the initial PID namespace sees every other one");
  }
  absl::MutexLock lock(&mu_);
  const auto it = foreign_.find({pid_namespace, pid});
  if (it == foreign_.end()) return ForeignProcess{};
  return it->second;
}

void FakeProcessInspector::SetForeignPid(uint64_t pid_namespace,
                                         int64_t pid_there, int64_t pid,
                                         bool same_time_namespace) {
  absl::MutexLock lock(&mu_);
  foreign_[{pid_namespace, pid_there}] =
      ForeignProcess{pid, same_time_namespace};
}

void FakeProcessInspector::SetPidNamespace(int64_t pid,
                                           uint64_t pid_namespace) {
  absl::MutexLock lock(&mu_);
  EntryLocked(pid).pid_namespace = pid_namespace;
}

void FakeProcessInspector::MakeKernelThread(int64_t pid) {
  absl::MutexLock lock(&mu_);
  EntryLocked(pid).kernel_thread = true;
}

uint64_t FakeProcessInspector::NextTokenLocked() { return next_token_++; }

void FakeProcessInspector::NoteTokenLocked(uint64_t token) {
  if (token >= next_token_ && token != std::numeric_limits<uint64_t>::max()) {
    next_token_ = token + 1;
  }
}

FakeProcessInspector::Entry& FakeProcessInspector::EntryLocked(int64_t pid) {
  used_pids_.insert(pid);
  return processes_[pid];
}

ProcessIdentity FakeProcessInspector::AddProcess(int64_t pid,
                                                 uint64_t start_token,
                                                 std::string name,
                                                 uint64_t unique_id) {
  absl::MutexLock lock(&mu_);
  Entry& entry = EntryLocked(pid);
  entry =
      Entry{State::kRunning, start_token, std::move(name), absl::OkStatus()};
  entry.unique_id = unique_id;
  NoteTokenLocked(start_token);
  return ProcessIdentity{pid, start_token, unique_id};
}

ProcessIdentity FakeProcessInspector::StartProcess(std::string name) {
  absl::MutexLock lock(&mu_);
  while (used_pids_.count(next_pid_) != 0) ++next_pid_;
  const int64_t pid = next_pid_++;
  const uint64_t token = NextTokenLocked();
  EntryLocked(pid) =
      Entry{State::kRunning, token, std::move(name), absl::OkStatus()};
  return ProcessIdentity{pid, token};
}

ProcessIdentity FakeProcessInspector::ReusePid(int64_t pid, std::string name) {
  absl::MutexLock lock(&mu_);
  const uint64_t token = NextTokenLocked();
  EntryLocked(pid) =
      Entry{State::kRunning, token, std::move(name), absl::OkStatus()};
  return ProcessIdentity{pid, token};
}

void FakeProcessInspector::Kill(int64_t pid) {
  absl::MutexLock lock(&mu_);
  processes_.erase(pid);
}

void FakeProcessInspector::Zombify(int64_t pid) {
  absl::MutexLock lock(&mu_);
  EntryLocked(pid).state = State::kZombie;
}

void FakeProcessInspector::DenyPermission(int64_t pid) {
  absl::MutexLock lock(&mu_);
  EntryLocked(pid).state = State::kDenied;
}

void FakeProcessInspector::MakeUnknown(int64_t pid) {
  absl::MutexLock lock(&mu_);
  EntryLocked(pid).state = State::kUnknown;
}

void FakeProcessInspector::FailInspect(int64_t pid, absl::Status error) {
  if (error.ok()) error = absl::UnknownError("FailInspect with an OK status");
  absl::MutexLock lock(&mu_);
  Entry& entry = EntryLocked(pid);
  entry.state = State::kError;
  entry.error = std::move(error);
}

void FakeProcessInspector::SetSelf(const ProcessIdentity& self,
                                   std::string name) {
  absl::MutexLock lock(&mu_);
  self_ = self;
  Entry& entry = EntryLocked(self.pid);
  entry = Entry{State::kRunning, self.start_token, std::move(name),
                absl::OkStatus()};
  entry.unique_id = self.unique_id;
  NoteTokenLocked(self.start_token);
}

void FakeProcessInspector::FailSelf(absl::Status error) {
  if (error.ok()) error = absl::UnknownError("FailSelf with an OK status");
  absl::MutexLock lock(&mu_);
  self_ = std::move(error);
}

void FakeProcessInspector::SetBootId(std::string boot_id) {
  absl::MutexLock lock(&mu_);
  boot_id_ = std::move(boot_id);
}

void FakeProcessInspector::FailBootId(absl::Status error) {
  if (error.ok()) error = absl::UnknownError("FailBootId with an OK status");
  absl::MutexLock lock(&mu_);
  boot_id_ = std::move(error);
}

std::vector<int64_t> FakeProcessInspector::InspectedPids() const {
  absl::MutexLock lock(&mu_);
  return inspected_;
}

void FakeProcessInspector::ClearInspectedPids() {
  absl::MutexLock lock(&mu_);
  inspected_.clear();
}

}  // namespace berth::platform
