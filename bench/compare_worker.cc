// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/compare_worker.cc: berth's side of bench/compare.
//
// A long-lived process that bench/compare drives over stdin/stdout, one
// command a line, fields separated by tabs, so that berth and its peers
// (bench/peer_worker.py, bench/peer_worker.mjs) can take turns in one run.
// Every answer is one line: numbers separated by spaces, or "error\tWHY".
//
//   setup ENTRIES [FS]   make a registry on FS (tmpfs, the default, or
//                        disk: $BERTH_BENCH_DISK, else /var/tmp) holding
//                        ENTRIES live entries (reservations held by this
//                        worker); answers "ok DIR FSTYPE"
//   acquire N            N times berth::Acquire + Lease::Release on it;
//                        answers "ACQUIRE_NS CYCLE_NS" per call
//   design_floor N       N times the bare system calls of one Acquire (as
//                        shared/tools/floor.c times them, no library): stat
//                        the memory, open + flock + read a lease file, two
//                        bind probes, map the file, write the record;
//                        answers NS per call
//   contend PROCS CYCLES PAUSE_US
//                        PROCS processes at once, each CYCLES times Acquire
//                        + Release of one app and a pause; answers
//                        "FAILURES NS NS..." (every cycle's latency)
//   contend PROCS CYCLES PAUSE_US floor
//                        the same with design_floor's system calls, each
//                        process on a port of its own
//   listen LO HI         listen on every port LO..HI (and hold them);
//                        "unlisten" closes them; answers "ok N"
//   inspect N PID        N times SystemProcessInspector().Inspect(PID);
//                        answers NS per call
//   proc_floor N PID     N times open + read + close of /proc/PID/stat;
//                        answers NS per call
//   berth_get N BERTH [LO-HI]
//                        N times the process `BERTH get bench-get --owner
//                        SELF --registry DIR`, each followed (untimed) by
//                        releasing its port; answers "WALL_NS RSS_KIB
//                        FLOOR_KIB" per run (see bench/run_process.h)
//   parallel_gets K BERTH LO-HI
//                        K such processes started at once (apps par-0...);
//                        answers "FAILED WALL_NS" (the slowest)
//   disk_load on|off     start (or stop) a process that writes to a file on
//                        the registry's disk and syncs it, in a loop
//   spawn N ARGV...      N times the process ARGV; the same per run
//
// The registry is removed when stdin closes.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

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
  ~Worker() {
    DiskLoad(false);
    for (int fd : listeners_) close(fd);
  }

  // Run answers one command line.
  std::string Run(const std::vector<std::string>& cmd) {
    if (cmd.empty()) return "error\tempty command";
    int n = 0;
    if (cmd.size() >= 2 && cmd[0] != "disk_load" &&
        (!absl::SimpleAtoi(cmd[1], &n) || n < 0)) {
      return "error\tbad count";
    }
    absl::StatusOr<std::vector<int64_t>> answer;
    int64_t a = 0, b = 0;
    if (cmd[0] == "setup" && (cmd.size() == 2 || cmd.size() == 3)) {
      return Setup(n, cmd.size() == 3 ? cmd[2] : "tmpfs");
    } else if (cmd[0] == "acquire" && cmd.size() == 2) {
      answer = AcquireRelease(n);
    } else if (cmd[0] == "design_floor" && cmd.size() == 2) {
      answer = DesignFloor(n);
    } else if (cmd[0] == "contend" && (cmd.size() == 4 || cmd.size() == 5) &&
               absl::SimpleAtoi(cmd[2], &a) && absl::SimpleAtoi(cmd[3], &b) &&
               (cmd.size() == 4 || cmd[4] == "floor")) {
      answer = Contend(n, static_cast<int>(a), static_cast<int>(b),
                       cmd.size() == 5);
    } else if (cmd[0] == "listen" && cmd.size() == 3 &&
               absl::SimpleAtoi(cmd[2], &a)) {
      return Listen(n, static_cast<int>(a));
    } else if (cmd[0] == "unlisten" && cmd.size() == 1) {
      for (int fd : listeners_) close(fd);
      listeners_.clear();
      return "ok 0";
    } else if (cmd[0] == "inspect" && cmd.size() == 3) {
      int64_t pid = 0;
      if (!absl::SimpleAtoi(cmd[2], &pid)) return "error\tbad pid";
      answer = Inspect(n, pid);
    } else if (cmd[0] == "proc_floor" && cmd.size() == 3 &&
               absl::SimpleAtoi(cmd[2], &a)) {
      answer = ProcFloor(n, a);
    } else if (cmd[0] == "berth_get" && (cmd.size() == 3 || cmd.size() == 4)) {
      answer = BerthGet(n, cmd[2], cmd.size() == 4 ? cmd[3] : BenchRange());
    } else if (cmd[0] == "parallel_gets" && cmd.size() == 4) {
      answer = ParallelGets(n, cmd[2], cmd[3]);
    } else if (cmd[0] == "disk_load" && cmd.size() == 2) {
      return DiskLoad(cmd[1] == "on");
    } else if (cmd[0] == "spawn" && cmd.size() >= 3) {
      answer = Spawn(n, {cmd.begin() + 2, cmd.end()}, false);
    } else {
      return absl::StrCat("error\tunknown command: ", absl::StrJoin(cmd, " "));
    }
    if (!answer.ok()) return absl::StrCat("error\t", answer.status().message());
    return absl::StrJoin(*answer, " ");
  }

 private:
  static std::string BenchRange() {
    return absl::StrCat(kBenchRange.lo, "-", kBenchRange.hi);
  }

  std::string Setup(int entries, const std::string& fs) {
    absl::StatusOr<std::string> parent;
    if (fs == "tmpfs") {
      parent = TmpfsDirectory();
    } else if (fs == "disk") {
      const char* disk = getenv("BERTH_BENCH_DISK");
      parent = std::string(disk != nullptr && disk[0] == '/' ? disk
                                                              : "/var/tmp");
    } else {
      return "error\tsetup: FS is tmpfs or disk";
    }
    if (!parent.ok()) return absl::StrCat("error\t", parent.status().message());
    DiskLoad(false);
    dir_.reset();
    auto dir = ScratchDir::Create(*parent);
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

  // DesignFloor times the bare system calls an Acquire makes, with nothing
  // around them: the floor of this design on this machine.
  absl::StatusOr<std::vector<int64_t>> DesignFloor(int n) {
    if (dir_ == nullptr) return absl::FailedPreconditionError("no setup yet");
    std::vector<int64_t> out;
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<int64_t> ns = FloorOnce(kBenchRange.hi);
      if (!ns.ok()) return ns.status();
      out.push_back(*ns);
    }
    return out;
  }

  // FloorOnce makes the bare system calls of one Acquire of `port` (its
  // lease file leases/PORT.lock) and answers how long they took.
  absl::StatusOr<int64_t> FloorOnce(int port) const {
    const std::string memory = dir_->path() + "/registry";
    const std::string lease =
        absl::StrCat(dir_->path(), "/leases/", port, ".lock");
    const std::string record = absl::StrCat(
        "berth-lease 2\nport ", port,
        "\napp bench\npid 4242\nstart 1234567\npidns 4026531836\nboot "
        "9f0c6a2e-51b4\nsince 1764180000\nhold lock\nend\n");
    const auto t0 = std::chrono::steady_clock::now();
    struct stat st;
    stat(memory.c_str(), &st);
    const int fd = open(lease.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (fd >= 0) close(fd);
      return absl::InternalError("design_floor: cannot lock the lease");
    }
    char buffer[4096];
    if (pread(fd, buffer, sizeof(buffer), 0) < 0) {
      close(fd);
      return absl::InternalError("design_floor: pread");
    }
    for (int family : {AF_INET, AF_INET6}) {
      const int sock = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      const int one = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      sockaddr_storage addr = {};
      socklen_t len;
      if (family == AF_INET) {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        len = sizeof(*v4);
      } else {
        setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        len = sizeof(*v6);
      }
      bind(sock, reinterpret_cast<sockaddr*>(&addr), len);
      close(sock);
    }
    void* map = mmap(nullptr, 4096, PROT_NONE, MAP_SHARED, fd, 0);
    madvise(map, 4096, MADV_DONTFORK);
    if (ftruncate(fd, 0) != 0 ||
        pwrite(fd, record.data(), record.size(), 0) < 0) {
      munmap(map, 4096);
      close(fd);
      return absl::InternalError("design_floor: write");
    }
    const auto t1 = std::chrono::steady_clock::now();
    munmap(map, 4096);
    close(fd);
    return Nanos(t1 - t0);
  }

  // Contend runs `procs` processes at once, each `cycles` times Acquire +
  // Release of the app "contend" and a pause of `pause_us`; or, with
  // `floor`, the bare system calls of an Acquire instead (each process on a
  // port of its own), for the same load without berth.
  absl::StatusOr<std::vector<int64_t>> Contend(int procs, int cycles,
                                               int pause_us, bool floor) {
    auto options = RegistryOptions();
    if (!options.ok()) return options.status();
    int start[2];
    if (pipe(start) != 0) return absl::ErrnoToStatus(errno, "pipe");
    struct Child {
      pid_t pid;
      int out;
    };
    std::vector<Child> children;
    for (int p = 0; p < procs; ++p) {
      int out[2];
      if (pipe(out) != 0) return absl::ErrnoToStatus(errno, "pipe");
      const pid_t pid = fork();
      if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
      if (pid == 0) {
        close(start[1]);
        close(out[0]);
        char byte;
        while (read(start[0], &byte, 1) > 0) {
        }
        std::vector<int64_t> samples;
        samples.reserve(static_cast<size_t>(cycles) + 1);
        int64_t failures = 0;
        for (int i = 0; i < cycles; ++i) {
          if (floor) {
            absl::StatusOr<int64_t> ns = FloorOnce(kBenchRange.lo + p);
            if (!ns.ok()) ++failures;
            samples.push_back(ns.ok() ? *ns : 0);
          } else {
            const auto t0 = std::chrono::steady_clock::now();
            absl::StatusOr<Lease> lease = Acquire("contend", *options);
            if (!lease.ok() || !lease->Release().ok()) ++failures;
            samples.push_back(Nanos(std::chrono::steady_clock::now() - t0));
          }
          if (pause_us > 0) usleep(static_cast<useconds_t>(pause_us));
        }
        samples.push_back(failures);
        const char* p = reinterpret_cast<const char*>(samples.data());
        size_t left = samples.size() * sizeof(int64_t);
        while (left > 0) {
          const ssize_t n = write(out[1], p, left);
          if (n <= 0) _exit(1);
          p += n;
          left -= static_cast<size_t>(n);
        }
        _exit(0);
      }
      close(out[1]);
      children.push_back({pid, out[0]});
    }
    close(start[0]);
    close(start[1]);  // go
    std::vector<int64_t> latencies;
    int64_t failures = 0;
    for (const Child& c : children) {
      std::vector<int64_t> samples(static_cast<size_t>(cycles) + 1);
      char* p = reinterpret_cast<char*>(samples.data());
      size_t got = 0;
      const size_t want = samples.size() * sizeof(int64_t);
      while (got < want) {
        const ssize_t n = read(c.out, p + got, want - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      close(c.out);
      int status = 0;
      waitpid(c.pid, &status, 0);
      if (got != want || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        failures += cycles;
        continue;
      }
      failures += samples.back();
      latencies.insert(latencies.end(), samples.begin(), samples.end() - 1);
    }
    latencies.insert(latencies.begin(), failures);
    return latencies;
  }

  // Listen listens on every port of lo..hi (a listener each, IPv4 wildcard,
  // as a busy server would), kept until "unlisten".
  std::string Listen(int lo, int hi) {
    for (int port = lo; port <= hi; ++port) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a = {};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
          listen(fd, 1) != 0) {
        if (fd >= 0) close(fd);
        return absl::StrCat("error\tcannot listen on ", port);
      }
      listeners_.push_back(fd);
    }
    return absl::StrCat("ok ", listeners_.size());
  }

  // ProcFloor times the least a procfs inspection does: open, read and
  // close /proc/PID/stat.
  absl::StatusOr<std::vector<int64_t>> ProcFloor(int n, int64_t pid) {
    const std::string path = absl::StrCat("/proc/", pid, "/stat");
    std::vector<int64_t> out;
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      char buffer[1024];
      const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || read(fd, buffer, sizeof(buffer)) <= 0) {
        return absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
      }
      close(fd);
      out.push_back(Nanos(std::chrono::steady_clock::now() - t0));
    }
    return out;
  }

  // ParallelGets starts `k` berth get processes at once and waits for all.
  absl::StatusOr<std::vector<int64_t>> ParallelGets(int k,
                                                    const std::string& berth,
                                                    const std::string& range) {
    auto options = RegistryOptions();
    if (!options.ok()) return options.status();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<pid_t> pids;
    const std::string owner = absl::StrCat(getpid());
    for (int i = 0; i < k; ++i) {
      const pid_t pid = fork();
      if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
      if (pid == 0) {
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        const std::string app = absl::StrCat("par-", i);
        execl(berth.c_str(), berth.c_str(), "get", app.c_str(), "--owner",
              owner.c_str(), "--registry", dir_->path().c_str(), "--range",
              range.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      pids.push_back(pid);
    }
    int64_t failed = 0;
    for (pid_t pid : pids) {
      int status = 0;
      waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    const int64_t wall = Nanos(std::chrono::steady_clock::now() - t0);
    for (int i = 0; i < k; ++i) {
      ReleaseApp(absl::StrCat("par-", i), *options).IgnoreError();
    }
    return std::vector<int64_t>{failed, wall};
  }

  // DiskLoad starts (or stops) a process that writes 1 MiB at a time to a
  // file beside the registry and syncs it: another program busy with the
  // same disk.
  std::string DiskLoad(bool on) {
    if (load_ > 0) {
      kill(load_, SIGKILL);
      waitpid(load_, nullptr, 0);
      load_ = 0;
    }
    if (!on) return "ok 0";
    if (dir_ == nullptr) return "error\tno setup yet";
    const std::string file = dir_->path() + "/load";
    load_ = fork();
    if (load_ < 0) return "error\tfork";
    if (load_ == 0) {
      std::vector<char> chunk(1 << 20, 'x');
      const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      for (int i = 0;; i = (i + 1) % 64) {
        if (pwrite(fd, chunk.data(), chunk.size(), off_t{i} << 20) < 0) {
          _exit(1);
        }
        fdatasync(fd);
      }
    }
    return "ok 1";
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
                                                const std::string& berth,
                                                const std::string& range) {
    auto options = RegistryOptions();
    if (!options.ok()) return options.status();
    return Spawn(n,
                 {berth, "get", "bench-get", "--owner", absl::StrCat(getpid()),
                  "--registry", dir_->path(), "--range", range},
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
  std::vector<int> listeners_;
  pid_t load_ = 0;
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
