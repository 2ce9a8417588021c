// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/steps_bench.cc: what each step of an allocation costs on its own,
// and what the OS makes reading a process's facts cost: the evidence behind
// a profile of BM_AcquireRelease.
//
//   ./bazelw run -c opt //bench:steps_bench
//
// - BM_Step/NAME: the platform/ calls one Acquire makes, each alone, on a
//   tmpfs registry directory: memory_signature (the stat that finds the
//   memory unchanged), read_memory (reading it when it changed), claim
//   (open + lock one lease file, create if missing, read its record),
//   claim_held (the same for a port someone else holds: the cost of
//   passing one over), probe (the binds), hold_past_close (the mapping),
//   write_record, vacate (a release), inspect_owner (judging a
//   reservation's owner) and unique_id (when its start token matched).
// - BM_Proc/NAME: raw syscall sequences on /proc for this process:
//   open_dir (open /proc/PID + close), stat_at and status_at (openat +
//   read to EOF + close, given the directory, as Inspect does),
//   stat_one_read (open /proc/PID/stat, one read, close), pidfd (pidfd_open
//   + close), and pidfd_stat_poll: pidfd_open, read stat once, poll the
//   pidfd, close: a race-free inspection without /proc/PID/status.
//
// Every benchmark reports p50_us and p99_us counters.

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/percentile.h"
#include "bench/registry_fixture.h"
#include "benchmark/benchmark.h"
#include "platform/file.h"
#include "platform/port.h"
#include "platform/process.h"

namespace berth::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Measure runs `step` once per iteration and reports its latency
// percentiles; a step returning false stops the benchmark with `what`.
void Measure(benchmark::State& state, const std::string& what,
             absl::FunctionRef<bool()> step) {
  std::vector<double> samples;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const bool ok = step();
    const auto t1 = Clock::now();
    if (!ok) {
      state.SkipWithError(what.c_str());
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    samples.push_back(
        std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  state.counters["p50_us"] = Percentile(samples, 50);
  state.counters["p99_us"] = Percentile(samples, 99);
}

// --- Steps of a transaction --------------------------------------------------

enum Step {
  kMemorySignature,
  kReadMemory,
  kClaim,
  kClaimHeld,
  kProbe,
  kHoldPastClose,
  kWriteRecord,
  kVacate,
  kInspectOwner,
  kUniqueId,
};

void BM_Step(benchmark::State& state, Step step) {
  auto tmpfs = TmpfsDirectory();
  if (!tmpfs.ok()) {
    state.SkipWithError(std::string(tmpfs.status().message()).c_str());
    return;
  }
  auto dir = ScratchDir::Create(*tmpfs);
  if (!dir.ok()) {
    state.SkipWithError(std::string(dir.status().message()).c_str());
    return;
  }
  // A registry of 10 live entries, as in the compared Acquire.
  if (absl::Status s = FillRegistry(dir->path(), 10, kBenchRange); !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
    return;
  }
  const std::string path = dir->path();
  const std::string leases = platform::JoinPath(path, "leases");
  const std::string memory = platform::JoinPath(path, "registry");
  const std::string lease = platform::JoinPath(leases, "21999.lock");
  const std::string held_lease = platform::JoinPath(leases, "21998.lock");
  auto held = platform::FileLock::TryLock(held_lease, /*create=*/true);
  if (!held.ok() || !platform::FileLock::TryLock(lease, true).ok()) {
    state.SkipWithError("set-up");
    return;
  }
  const std::string record =
      "berth-lease 2\nport 21999\napp bench\npid 4242\nstart 1234567\n"
      "pidns 4026531836\nboot 9f0c6a2e-51b4\nsince 1764180000\nhold lock\n"
      "end\n";
  const platform::ProcessInspector& os = platform::SystemProcessInspector();
  const int64_t pid = getpid();
  switch (step) {
    case kMemorySignature:
      return Measure(state, "SignatureOf",
                     [&] { return platform::SignatureOf(memory).ok(); });
    case kReadMemory:
      return Measure(state, "ReadFileToString", [&] {
        return platform::ReadFileToString(memory, int64_t{1} << 20).ok();
      });
    case kClaim:
      return Measure(state, "TryLock + ReadContents", [&] {
        auto lock = platform::FileLock::TryLock(lease, /*create=*/true);
        return lock.ok() && lock->ReadContents(16384).ok();
      });
    case kClaimHeld:
      return Measure(state, "TryLock of a held lease", [&] {
        return absl::IsUnavailable(
            platform::FileLock::TryLock(held_lease, true).status());
      });
    case kProbe:
      return Measure(state, "ProbePort", [&] {
        auto probe = platform::ProbePort(kBenchRange.hi);
        return probe.ok() && probe->free();
      });
    case kHoldPastClose:
      return Measure(state, "HoldPastClose + Unlock", [&] {
        auto lock = platform::FileLock::TryLock(lease, true);
        return lock.ok() && lock->HoldPastClose().ok();
      });
    case kWriteRecord: {
      auto lock = platform::FileLock::TryLock(lease, true);
      if (!lock.ok()) break;
      return Measure(state, "WriteContents",
                     [&] { return lock->WriteContents(record).ok(); });
    }
    case kVacate: {
      auto lock = platform::FileLock::TryLock(lease, true);
      if (!lock.ok()) break;
      return Measure(state, "WriteContents(\"\")", [&] {
        return lock->WriteContents(record).ok() && lock->WriteContents("").ok();
      });
    }
    case kInspectOwner:
      return Measure(state, "Inspect", [&] { return os.Inspect(pid).ok(); });
    case kUniqueId:
      return Measure(state, "UniqueId", [&] { return os.UniqueId(pid).ok(); });
  }
  state.SkipWithError("set-up");
}

#define BERTH_STEP(name, step)           \
  BENCHMARK_CAPTURE(BM_Step, name, step) \
      ->UseManualTime()                  \
      ->Unit(benchmark::kMicrosecond)

BERTH_STEP(memory_signature, kMemorySignature);
BERTH_STEP(read_memory, kReadMemory);
BERTH_STEP(claim, kClaim);
BERTH_STEP(claim_held, kClaimHeld);
BERTH_STEP(probe, kProbe);
BERTH_STEP(hold_past_close, kHoldPastClose);
BERTH_STEP(write_record, kWriteRecord);
BERTH_STEP(vacate, kVacate);
BERTH_STEP(inspect_owner, kInspectOwner);
BERTH_STEP(unique_id, kUniqueId);

// --- /proc primitives --------------------------------------------------------

enum Proc {
  kOpenDir,
  kStatAt,
  kStatusAt,
  kStatOneRead,
  kPidfd,
  kPidfdStatPoll
};

// ReadAllAt opens `name` under `dirfd`, reads to EOF, closes.
bool ReadAllAt(int dirfd, const char* name) {
  const int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  ssize_t n;
  size_t total = 0;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
    total += static_cast<size_t>(n);
  }
  close(fd);
  benchmark::DoNotOptimize(buffer);
  return n == 0 && total > 0;
}

int PidfdOpen(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

void BM_Proc(benchmark::State& state, Proc what) {
  const pid_t pid = getpid();
  const std::string dir = absl::StrCat("/proc/", pid);
  const std::string stat = absl::StrCat(dir, "/stat");
  const int dirfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) {
    state.SkipWithError("open /proc/PID");
    return;
  }
  switch (what) {
    case kOpenDir:
      Measure(state, "open /proc/PID", [&] {
        const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 && close(fd) == 0;
      });
      break;
    case kStatAt:
      Measure(state, "read stat", [&] { return ReadAllAt(dirfd, "stat"); });
      break;
    case kStatusAt:
      Measure(state, "read status", [&] { return ReadAllAt(dirfd, "status"); });
      break;
    case kStatOneRead:
      Measure(state, "read /proc/PID/stat", [&] {
        const int fd = open(stat.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        char buffer[1024];
        const ssize_t n = read(fd, buffer, sizeof(buffer));
        close(fd);
        benchmark::DoNotOptimize(buffer);
        return n > 0;
      });
      break;
    case kPidfd:
      Measure(state, "pidfd_open", [&] {
        const int fd = PidfdOpen(pid);
        return fd >= 0 && close(fd) == 0;
      });
      break;
    case kPidfdStatPoll:
      Measure(state, "pidfd + stat + poll", [&] {
        const int pidfd = PidfdOpen(pid);
        if (pidfd < 0) return false;
        const int fd = open(stat.c_str(), O_RDONLY | O_CLOEXEC);
        char buffer[1024];
        const ssize_t n = fd < 0 ? -1 : read(fd, buffer, sizeof(buffer));
        if (fd >= 0) close(fd);
        benchmark::DoNotOptimize(buffer);
        // Readable once the process has exited: then the stat read may
        // describe a successor, and the answer is "dead".
        pollfd p = {pidfd, POLLIN, 0};
        const int ready = poll(&p, 1, 0);
        close(pidfd);
        return n > 0 && ready == 0;
      });
      break;
  }
  close(dirfd);
}

#define BERTH_PROC(name, what)           \
  BENCHMARK_CAPTURE(BM_Proc, name, what) \
      ->UseManualTime()                  \
      ->Unit(benchmark::kMicrosecond)

BERTH_PROC(open_dir, kOpenDir);
BERTH_PROC(stat_at, kStatAt);
BERTH_PROC(status_at, kStatusAt);
BERTH_PROC(stat_one_read, kStatOneRead);
BERTH_PROC(pidfd, kPidfd);
BERTH_PROC(pidfd_stat_poll, kPidfdStatPoll);

}  // namespace
}  // namespace berth::bench

BENCHMARK_MAIN();
