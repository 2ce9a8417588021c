// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/acquire_bench.cc: what berth costs, as Google Benchmarks.
//
//   ./bazelw run -c opt //bench:acquire_bench
//   ./bazelw run -c opt //bench:acquire_bench -- --benchmark_filter=Inspect
//
// - BM_AcquireRelease/{tmpfs,disk}/N: berth::Acquire + Lease::Release in
//   this process, with N live entries already in the registry (reservations
//   held by this process, so every transaction inspects N live owners). The
//   registry sits on tmpfs ($XDG_RUNTIME_DIR or /dev/shm) or on disk
//   (--disk_dir, default /var/tmp). Complexity says how the cost grows with
//   the entries the transaction handles (N + the new one).
// - BM_AcquireContended/{tmpfs,disk}/P: P forked processes each loop
//   Acquire + Release against one registry of 10 live entries; latency per
//   cycle over all processes, and the cycles per second they achieve.
// - BM_BerthGetProcess/{tmpfs,disk}: `berth get` as a whole process, run
//   by bench/measure_process (posix_spawn + wait4): wall time and peak RSS
//   (ru_maxrss), with 10 live entries in the registry.
// - BM_Inspect/{alive,dead,zombie}: platform::SystemProcessInspector()
//   .Inspect for this process, a reaped child's PID, an unreaped child.
//   (bench/steps_bench.cc takes a transaction and an inspection apart.)
//
// Every benchmark reports p50_us and p99_us counters over its iterations
// (Google Benchmark's Time column is the mean). The machine is shared and
// noisy: compare figures from one run, or use bench/compare, which
// alternates berth and its peers.

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/admin.h"
#include "api/lease.h"
#include "bench/percentile.h"
#include "bench/registry_fixture.h"
#include "bench/run_process.h"
#include "benchmark/benchmark.h"
#include "platform/process.h"

namespace berth::bench {
namespace {

using Clock = std::chrono::steady_clock;

enum FileSystem { kTmpfs, kDisk };

struct Flags {
  std::string disk_dir = "/var/tmp";
  std::string berth;     // the berth binary; default: from runfiles
  std::string launcher;  // bench/measure_process; default: from runfiles
} flags;

double Micros(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

// ReportLatency sets the p50_us / p99_us counters from per-iteration
// samples in microseconds.
void ReportLatency(benchmark::State& state, std::vector<double> samples,
                   const std::string& prefix = "") {
  state.counters[prefix + "p50_us"] = Percentile(samples, 50);
  state.counters[prefix + "p99_us"] = Percentile(samples, 99);
}

// Parent returns the directory to make registries in for `fs`.
absl::StatusOr<std::string> Parent(FileSystem fs) {
  if (fs == kTmpfs) return TmpfsDirectory();
  return flags.disk_dir;
}

// MakeRegistry returns a new registry directory on `fs` with `entries` live
// entries (reservations of this process in kBenchRange), and labels the
// benchmark with where it is.
absl::StatusOr<ScratchDir> MakeRegistry(benchmark::State& state, FileSystem fs,
                                        int entries) {
  auto parent = Parent(fs);
  if (!parent.ok()) return parent.status();
  auto dir = ScratchDir::Create(*parent);
  if (!dir.ok()) return dir.status();
  if (absl::Status s = FillRegistry(dir->path(), entries, kBenchRange);
      !s.ok()) {
    return s;
  }
  state.SetLabel(absl::StrCat(FileSystemName(dir->path()), " ", *parent));
  return dir;
}

Options BenchOptions(const std::string& dir) {
  Options options;
  options.registry_dir = dir;
  options.range = kBenchRange;
  return options;
}

// --- In-process Acquire + Release ------------------------------------------

void BM_AcquireRelease(benchmark::State& state, FileSystem fs) {
  const int entries = static_cast<int>(state.range(0));
  auto dir = MakeRegistry(state, fs, entries);
  if (!dir.ok()) {
    state.SkipWithError(std::string(dir.status().message()).c_str());
    return;
  }
  const Options options = BenchOptions(dir->path());
  std::vector<double> cycle, acquire;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    absl::StatusOr<Lease> lease = Acquire("bench", options);
    const auto t1 = Clock::now();
    if (!lease.ok()) {
      state.SkipWithError(std::string(lease.status().message()).c_str());
      break;
    }
    absl::Status released = lease->Release();
    const auto t2 = Clock::now();
    if (!released.ok()) {
      state.SkipWithError(std::string(released.message()).c_str());
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(t2 - t0).count());
    cycle.push_back(Micros(t2 - t0));
    acquire.push_back(Micros(t1 - t0));
  }
  state.SetComplexityN(entries + 1);
  ReportLatency(state, std::move(cycle));
  ReportLatency(state, std::move(acquire), "acquire_");
}

BENCHMARK_CAPTURE(BM_AcquireRelease, tmpfs, kTmpfs)
    ->ArgName("entries")
    ->Arg(0)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oAuto);
BENCHMARK_CAPTURE(BM_AcquireRelease, disk, kDisk)
    ->ArgName("entries")
    ->Arg(0)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oAuto);

// --- Contention --------------------------------------------------------------

// ContenderLoop runs `cycles` Acquire + Release cycles once `start` reaches
// EOF and writes their latencies (microseconds, as doubles) to `out`.
// Returns the process exit status.
int ContenderLoop(int start, int out, const Options& options, int id,
                  int cycles) {
  char byte;
  while (read(start, &byte, 1) > 0) {
  }
  const std::string app = absl::StrCat("contend-", id);
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(cycles));
  for (int i = 0; i < cycles; ++i) {
    const auto t0 = Clock::now();
    absl::StatusOr<Lease> lease = Acquire(app, options);
    if (!lease.ok()) {
      std::fprintf(stderr, "contender %d: %s\n", id,
                   std::string(lease.status().message()).c_str());
      return 1;
    }
    if (!lease->Release().ok()) return 1;
    samples.push_back(Micros(Clock::now() - t0));
  }
  const char* p = reinterpret_cast<const char*>(samples.data());
  size_t left = samples.size() * sizeof(double);
  while (left > 0) {
    ssize_t n = write(out, p, left);
    if (n <= 0) return 1;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return 0;
}

void BM_AcquireContended(benchmark::State& state, FileSystem fs) {
  const int procs = static_cast<int>(state.range(0));
  // About 1000 cycles in all, at least 20 per process.
  const int cycles = std::max(20, 1000 / procs);
  auto dir = MakeRegistry(state, fs, 10);
  if (!dir.ok()) {
    state.SkipWithError(std::string(dir.status().message()).c_str());
    return;
  }
  const Options options = BenchOptions(dir->path());
  std::vector<double> all;
  double cycles_per_second = 0;
  for (auto _ : state) {
    int start[2];
    if (pipe2(start, O_CLOEXEC) != 0) {
      state.SkipWithError("pipe");
      break;
    }
    struct Child {
      pid_t pid;
      int out;
    };
    std::vector<Child> children;
    for (int i = 0; i < procs; ++i) {
      int out[2];
      if (pipe2(out, O_CLOEXEC) != 0) break;
      const pid_t pid = fork();
      if (pid == 0) {
        close(start[1]);
        close(out[0]);
        _exit(ContenderLoop(start[0], out[1], options, i, cycles));
      }
      close(out[1]);
      if (pid < 0) {
        close(out[0]);
        break;
      }
      children.push_back({pid, out[0]});
    }
    close(start[0]);
    const auto t0 = Clock::now();
    close(start[1]);  // go
    bool failed = static_cast<int>(children.size()) != procs;
    for (const Child& c : children) {
      std::vector<double> samples(static_cast<size_t>(cycles));
      char* p = reinterpret_cast<char*>(samples.data());
      size_t got = 0;
      const size_t want = samples.size() * sizeof(double);
      while (got < want) {
        ssize_t n = read(c.out, p + got, want - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      close(c.out);
      if (got != want) failed = true;
      all.insert(all.end(), samples.begin(), samples.end());
    }
    for (const Child& c : children) {
      int status = 0;
      waitpid(c.pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = true;
    }
    const double seconds =
        std::chrono::duration<double>(Clock::now() - t0).count();
    if (failed) {
      state.SkipWithError("a contending process failed");
      break;
    }
    state.SetIterationTime(seconds);
    cycles_per_second = procs * cycles / seconds;
  }
  state.counters["cycles_per_s"] = cycles_per_second;
  state.counters["cycles"] = static_cast<double>(all.size());
  ReportLatency(state, std::move(all));
}

BENCHMARK_CAPTURE(BM_AcquireContended, tmpfs, kTmpfs)
    ->ArgName("procs")
    ->Arg(2)
    ->Arg(8)
    ->Arg(32)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AcquireContended, disk, kDisk)
    ->ArgName("procs")
    ->Arg(2)
    ->Arg(8)
    ->Arg(32)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// --- berth get as a whole process --------------------------------------------

void BM_BerthGetProcess(benchmark::State& state, FileSystem fs) {
  auto dir = MakeRegistry(state, fs, 10);
  if (!dir.ok()) {
    state.SkipWithError(std::string(dir.status().message()).c_str());
    return;
  }
  const std::vector<std::string> argv = {
      flags.berth,
      "get",
      "bench-get",
      "--owner",
      absl::StrCat(getpid()),
      "--registry",
      dir->path(),
      "--range",
      absl::StrCat(kBenchRange.lo, "-", kBenchRange.hi)};
  const Options options = BenchOptions(dir->path());
  std::vector<double> wall, rss;
  long floor_rss = 0;
  for (auto _ : state) {
    absl::StatusOr<ProcessRun> run = RunProcess(flags.launcher, argv);
    if (!run.ok() || !WIFEXITED(run->wait_status) ||
        WEXITSTATUS(run->wait_status) != 0) {
      state.SkipWithError(
          absl::StrCat(flags.berth, " get failed: ",
                       run.ok() ? absl::StrCat("wait status ", run->wait_status)
                                : std::string(run.status().message()))
              .c_str());
      break;
    }
    // Give the port back (untimed): each run allocates afresh.
    if (!ReleaseApp("bench-get", options).ok()) {
      state.SkipWithError("berth::ReleaseApp failed");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(run->wall).count());
    wall.push_back(Micros(run->wall));
    rss.push_back(static_cast<double>(run->max_rss_kib));
    floor_rss = std::max(floor_rss, run->floor_rss_kib);
  }
  std::vector<double> rss_copy = rss;
  state.counters["rss_p50_kib"] = Percentile(rss_copy, 50);
  state.counters["rss_max_kib"] = Percentile(rss, 100);
  // What measure_process itself peaked at: RSS figures below it are its.
  state.counters["rss_floor_kib"] = static_cast<double>(floor_rss);
  ReportLatency(state, std::move(wall));
}

BENCHMARK_CAPTURE(BM_BerthGetProcess, tmpfs, kTmpfs)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_BerthGetProcess, disk, kDisk)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// --- Process inspection ------------------------------------------------------

enum Target { kAlive, kDead, kZombie };

void BM_Inspect(benchmark::State& state, Target target) {
  pid_t pid = getpid();
  platform::Liveness expected = platform::Liveness::kAlive;
  pid_t zombie = 0;
  if (target != kAlive) {
    pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) {
      state.SkipWithError("fork");
      return;
    }
    expected = platform::Liveness::kDead;
    if (target == kDead) {
      waitpid(pid, nullptr, 0);
    } else {
      // Wait for the exit without reaping: the child stays a zombie.
      siginfo_t info;
      waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
      zombie = pid;
    }
  }
  const platform::ProcessInspector& inspector =
      platform::SystemProcessInspector();
  std::vector<double> samples;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    absl::StatusOr<platform::ProcessStatus> status = inspector.Inspect(pid);
    const auto t1 = Clock::now();
    if (!status.ok() || status->liveness != expected) {
      state.SkipWithError(absl::StrCat("process ", pid, " is not ",
                                       platform::LivenessName(expected))
                              .c_str());
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    samples.push_back(Micros(t1 - t0));
  }
  if (zombie != 0) waitpid(zombie, nullptr, 0);
  ReportLatency(state, std::move(samples));
}

BENCHMARK_CAPTURE(BM_Inspect, alive, kAlive)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Inspect, dead, kDead)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Inspect, zombie, kZombie)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// DefaultBerthBinary returns cli/berth from this binary's runfiles, else
// from beside it in bazel-bin.
std::string DefaultBerthBinary() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "berth";
  const std::string exe(self, static_cast<size_t>(n));
  const std::string runfiles = exe + ".runfiles/berth/cli/berth";
  if (access(runfiles.c_str(), X_OK) == 0) return runfiles;
  const std::string dir = exe.substr(0, exe.rfind('/'));
  return dir + "/../cli/berth";
}

}  // namespace
}  // namespace berth::bench

int main(int argc, char** argv) {
  using berth::bench::flags;
  benchmark::Initialize(&argc, argv);
  // Our own flags; what is left must be empty.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--disk_dir=")) {
      flags.disk_dir = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--berth=")) {
      flags.berth = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--measure_process=")) {
      flags.launcher = std::string(arg);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    std::fprintf(stderr,
                 "also: --disk_dir=DIR (registries on disk, default "
                 "/var/tmp), --berth=PATH (the berth binary), "
                 "--measure_process=PATH (bench/measure_process)\n");
    return 2;
  }
  if (flags.berth.empty()) flags.berth = berth::bench::DefaultBerthBinary();
  if (flags.launcher.empty()) flags.launcher = berth::bench::LauncherBeside();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
