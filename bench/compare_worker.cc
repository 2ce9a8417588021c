// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/compare_worker.cc: berth's side of bench/compare.
//
// A long-lived process that bench/compare drives over stdin/stdout, one
// command a line, fields separated by tabs, so that berth and its peers
// (bench/peer_worker.py, bench/peer_worker.mjs) can take turns in one run.
// Every answer is one line: numbers separated by spaces, or "error\tWHY".
//
//   setup ENTRIES        make a registry on tmpfs holding ENTRIES live
//                        entries (reservations held by this worker);
//                        answers "ok DIR FSTYPE"
//   acquire N            N times berth::Acquire + Lease::Release on it;
//                        answers "ACQUIRE_NS CYCLE_NS" per call
//   inspect N PID        N times SystemProcessInspector().Inspect(PID);
//                        answers NS per call
//   berth_get N BERTH    N times the process `BERTH get bench-get --owner
//                        SELF --registry DIR`, each followed (untimed) by
//                        releasing its port; answers "WALL_NS RSS_KIB
//                        FLOOR_KIB" per run (see bench/run_process.h)
//   spawn N ARGV...      N times the process ARGV; the same per run
//
// The registry is removed when stdin closes.

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "api/admin.h"
#include "api/lease.h"
#include "bench/registry_fixture.h"
#include "bench/run_process.h"
#include "platform/process.h"

namespace berth::bench {
namespace {

int64_t Nanos(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

class Worker {
 public:
  // Run answers one command line.
  std::string Run(const std::vector<std::string>& cmd) {
    if (cmd.empty()) return "error\tempty command";
    int n = 0;
    if (cmd.size() >= 2 && (!absl::SimpleAtoi(cmd[1], &n) || n < 0)) {
      return "error\tbad count";
    }
    absl::StatusOr<std::vector<int64_t>> answer;
    if (cmd[0] == "setup" && cmd.size() == 2) {
      return Setup(n);
    } else if (cmd[0] == "acquire" && cmd.size() == 2) {
      answer = AcquireRelease(n);
    } else if (cmd[0] == "inspect" && cmd.size() == 3) {
      int64_t pid = 0;
      if (!absl::SimpleAtoi(cmd[2], &pid)) return "error\tbad pid";
      answer = Inspect(n, pid);
    } else if (cmd[0] == "berth_get" && cmd.size() == 3) {
      answer = BerthGet(n, cmd[2]);
    } else if (cmd[0] == "spawn" && cmd.size() >= 3) {
      answer = Spawn(n, {cmd.begin() + 2, cmd.end()}, false);
    } else {
      return absl::StrCat("error\tunknown command: ", absl::StrJoin(cmd, " "));
    }
    if (!answer.ok()) return absl::StrCat("error\t", answer.status().message());
    return absl::StrJoin(*answer, " ");
  }

 private:
  std::string Setup(int entries) {
    auto tmpfs = TmpfsDirectory();
    if (!tmpfs.ok()) return absl::StrCat("error\t", tmpfs.status().message());
    auto dir = ScratchDir::Create(*tmpfs);
    if (!dir.ok()) return absl::StrCat("error\t", dir.status().message());
    dir_ = std::make_unique<ScratchDir>(*std::move(dir));
    if (absl::Status s = FillRegistry(dir_->path(), entries, kBenchRange);
        !s.ok()) {
      return absl::StrCat("error\t", s.message());
    }
    return absl::StrCat("ok ", dir_->path(), " ", FileSystemName(dir_->path()));
  }

  absl::StatusOr<Options> RegistryOptions() const {
    if (dir_ == nullptr) return absl::FailedPreconditionError("no setup yet");
    Options options;
    options.registry_dir = dir_->path();
    options.range = kBenchRange;
    return options;
  }

  absl::StatusOr<std::vector<int64_t>> AcquireRelease(int n) {
    auto options = RegistryOptions();
    if (!options.ok()) return options.status();
    std::vector<int64_t> out;
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      absl::StatusOr<Lease> lease = Acquire("bench", *options);
      const auto t1 = std::chrono::steady_clock::now();
      if (!lease.ok()) return lease.status();
      if (absl::Status s = lease->Release(); !s.ok()) return s;
      const auto t2 = std::chrono::steady_clock::now();
      out.push_back(Nanos(t1 - t0));
      out.push_back(Nanos(t2 - t0));
    }
    return out;
  }

  absl::StatusOr<std::vector<int64_t>> Inspect(int n, int64_t pid) {
    const platform::ProcessInspector& inspector =
        platform::SystemProcessInspector();
    std::vector<int64_t> out;
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto status = inspector.Inspect(pid);
      const auto t1 = std::chrono::steady_clock::now();
      if (!status.ok()) return status.status();
      if (status->liveness != platform::Liveness::kAlive) {
        return absl::FailedPreconditionError(
            absl::StrCat("process ", pid, " is not alive"));
      }
      out.push_back(Nanos(t1 - t0));
    }
    return out;
  }

  absl::StatusOr<std::vector<int64_t>> BerthGet(int n,
                                                const std::string& berth) {
    auto options = RegistryOptions();
    if (!options.ok()) return options.status();
    return Spawn(n,
                 {berth, "get", "bench-get", "--owner", absl::StrCat(getpid()),
                  "--registry", dir_->path(), "--range",
                  absl::StrCat(kBenchRange.lo, "-", kBenchRange.hi)},
                 /*release=*/true);
  }

  // Spawn runs `argv` n times; with `release`, gives bench-get's port back
  // after each run (untimed), so every run allocates afresh.
  absl::StatusOr<std::vector<int64_t>> Spawn(
      int n, const std::vector<std::string>& argv, bool release) {
    std::vector<int64_t> out;
    for (int i = 0; i < n; ++i) {
      auto run = RunProcess(launcher_, argv);
      if (!run.ok()) return run.status();
      if (!WIFEXITED(run->wait_status) || WEXITSTATUS(run->wait_status) != 0) {
        return absl::InternalError(absl::StrCat(
            argv[0], " failed (wait status ", run->wait_status, ")"));
      }
      int port = 0;
      if (!absl::SimpleAtoi(run->output, &port) || port <= 0) {
        return absl::InternalError(absl::StrCat(argv[0], " printed \"",
                                                run->output, "\", not a port"));
      }
      if (release) {
        auto options = RegistryOptions();
        if (!options.ok()) return options.status();
        if (auto r = ReleaseApp("bench-get", *options); !r.ok()) {
          return r.status();
        }
      }
      out.push_back(run->wall.count());
      out.push_back(run->max_rss_kib);
      out.push_back(run->floor_rss_kib);
    }
    return out;
  }

  const std::string launcher_ = LauncherBeside();
  std::unique_ptr<ScratchDir> dir_;
};

}  // namespace
}  // namespace berth::bench

int main() {
  std::ios::sync_with_stdio(false);
  berth::bench::Worker worker;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> cmd = absl::StrSplit(line, '\t');
    std::cout << worker.Run(cmd) << std::endl;
  }
  return 0;
}
