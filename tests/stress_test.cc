// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Many processes allocating and releasing at once through the C++ API, a
// quarter of them SIGKILLed at random points (inside a registry transaction
// as often as not), holding their ports in every way a server does:
//   - plain: the holder keeps the Lease and gives it back;
//   - fork-release: the holder forks a child that releases (destroys) its
//     copies of every Lease the holder has and exits; the holder keeps them;
//   - long child: the holder forks a child that lives on for a while
//     without exec; it shares the lease lock, so the port stays taken while
//     it lives, also after the holder gave the Lease back or was killed;
//   - exec'd server: a process acquires, hands the lease across exec
//     (InheritAcrossExec) and execs this binary as a server that closes
//     every descriptor from 3 up: its PID and start token alone vouch for it;
//   - wrapper: a process acquires, hands the lease across exec, and execs
//     `sh -c 'server & exit 0'`: the recorded PID is gone at once, and the
//     backgrounded server keeps the port by the lease lock it inherited;
//   - group: AcquireGroup of three apps at once (a stack: web, api, hmr),
//     all or none, each port held and given back like a plain one.
// What must hold:
//   - no port is ever held by two live holders: every hold is logged with
//     ticks of a clock shared by all processes (exec'd ones too: the state
//     is a file mapped shared), and no two holds of a port overlap; each
//     holder also binds 127.0.0.1:PORT with a listening socket when it gets
//     the port, which fails (EADDRINUSE) if another listens;
//   - a forked child's release leaves the holder's record in place;
//   - the registry file decodes whenever anyone looks, and is never moved
//     aside as corrupt;
//   - once everyone is gone, every entry left is stale, and a prune leaves
//     none (and no temp file of a killed writer).

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/lease.h"
#include "gtest/gtest.h"
#include "platform/port.h"
#include "registry/codec.h"

namespace berth {
namespace {

namespace fs = std::filesystem;

constexpr int kProcs = 32;
constexpr int kEach = 50;
constexpr int kVictims = 8;
constexpr uint16_t kLo = 24000;  // below Linux's ephemeral range (32768-)
constexpr uint16_t kHi = 25999;
constexpr uint32_t kSeed = 20261126;
// Every allocation logs one span, a long child one more.
constexpr int kMaxSpans = kProcs * kEach * 2;

// The ways a port is held (see the file comment).
enum Kind : uint8_t {
  kPlain,
  kForkRelease,
  kLongChild,
  kExecServer,
  kWrapper,
  kGroup,
  kKinds
};
const char* const kKindNames[kKinds] = {
    "plain", "fork-release", "long child", "exec'd server", "wrapper", "group"};

// Shared lives in a file mapped shared by every process, those that exec'd
// included (they map it again). Lock-free atomics work across processes.
struct Shared {
  // One clock for all processes: each tick is a fetch_add, so ticks are
  // totally ordered and consistent with each process's own order.
  std::atomic<uint64_t> clock;
  // Span is one hold of a port: from `start` (ticked after Acquire
  // returned, so the registry entry was written before) to `end` (ticked
  // before the port is given back: before Release began, or before the
  // process that holds it exits; 0 while held). Each measured span lies
  // within the real one, so two spans of a port that overlap mean two live
  // holders, never a false alarm; except spans of one lease (`lease`: the
  // index of its first span), which a holder and its forked child share.
  struct Span {
    uint16_t port;
    uint8_t kind;
    int32_t lease;
    std::atomic<int32_t> pid;  // whose death ends the span
    uint64_t start;
    std::atomic<uint64_t> end;
  };
  std::atomic<int32_t> spans_used;
  Span spans[kMaxSpans];
  std::atomic<int32_t> count[kProcs];  // allocations each holder made
  std::atomic<int32_t> violations;
  std::atomic<int32_t> failures;  // in processes nobody waits for
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<int32_t>::is_always_lock_free);

// This binary, for exec'd servers (read before any test runs).
std::string self_path;

uint64_t Tick(Shared* shared) { return shared->clock.fetch_add(1) + 1; }

// NewSpan logs that this process (`pid`) now holds `port`.
Shared::Span* NewSpan(Shared* shared, uint16_t port, Kind kind, int32_t lease,
                      pid_t pid) {
  const int32_t i = shared->spans_used.fetch_add(1);
  if (i >= kMaxSpans) return nullptr;
  Shared::Span& s = shared->spans[i];
  s.port = port;
  s.kind = kind;
  s.lease = lease < 0 ? i : lease;
  s.pid.store(pid);
  s.start = Tick(shared);
  return &s;
}

int32_t IndexOf(const Shared* shared, const Shared::Span* span) {
  return static_cast<int32_t>(span - shared->spans);
}

// MapShared maps the file at `path` (created with `create`).
Shared* MapShared(const std::string& path, bool create) {
  const int fd =
      open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0),
           0600);
  if (fd < 0) return nullptr;
  if (create && ftruncate(fd, sizeof(Shared)) != 0) {
    close(fd);
    return nullptr;
  }
  void* mem =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (mem == MAP_FAILED) return nullptr;
  // A new file reads as zeros: every counter and span starts at 0.
  return static_cast<Shared*>(mem);
}

// Violation reports a broken promise from a child (no gtest after fork).
void Violation(Shared* shared, const std::string& what) {
  shared->violations.fetch_add(1);
  std::fprintf(stderr, "VIOLATION (pid %d): %s\n", getpid(), what.c_str());
}

// BindOnce is what every holder does when it gets a port: bind it with a
// listener (an address in use is a violation: two live holders). Returns
// the listener when `keep`, else closes it (a port held by the registry
// alone: a listener would make berth's probe skip it and hide a registry
// that forgot it). False when the bind failed for another reason.
bool BindOnce(Shared* shared, uint16_t port, bool keep, int* fd) {
  absl::StatusOr<intptr_t> listener = platform::ListenTcp("127.0.0.1", port);
  if (!listener.ok()) {
    if (absl::IsUnavailable(listener.status())) {
      Violation(shared, absl::StrCat("bind 127.0.0.1:", port,
                                     ": address in use: two live holders"));
      return true;
    }
    std::fprintf(stderr, "%s\n", listener.status().ToString().c_str());
    return false;
  }
  *fd = static_cast<int>(*listener);
  if (!keep) {
    close(*fd);
    *fd = -1;
  }
  return true;
}

// CloseFrom closes every descriptor from `first` up.
void CloseFrom(int first) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
#endif
  const long max = sysconf(_SC_OPEN_MAX);
  for (int fd = first; fd < (max > 0 && max < 65536 ? max : 65536); ++fd) {
    close(fd);
  }
}

// Pipe makes a pipe whose ends close on exec.
bool Pipe(int fds[2]) {
  if (pipe(fds) != 0) return false;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  return true;
}

// ServerMain is this binary exec'd as a server (by kExecServer and
// kWrapper holders): argv is SELF --stress-server SHARED SPAN HOLD_US
// LISTEN CLOSE. With CLOSE it first closes every descriptor from 3 up, the
// lease lock among them, as servers that "close inherited files" do.
int ServerMain(int argc, char** argv) {
  if (argc != 7) return 2;
  int32_t index = 0, hold_us = 0, listen = 0, close_all = 0;
  if (!absl::SimpleAtoi(argv[3], &index) ||
      !absl::SimpleAtoi(argv[4], &hold_us) ||
      !absl::SimpleAtoi(argv[5], &listen) ||
      !absl::SimpleAtoi(argv[6], &close_all) || index < 0 ||
      index >= kMaxSpans) {
    return 2;
  }
  if (close_all) CloseFrom(3);
  Shared* shared = MapShared(argv[2], /*create=*/false);
  if (shared == nullptr) return 3;
  Shared::Span& span = shared->spans[index];
  // Behind a wrapper this is another process than the one on file.
  span.pid.store(getpid());
  int fd = -1;
  if (!BindOnce(shared, span.port, listen != 0, &fd)) {
    shared->failures.fetch_add(1);
  }
  usleep(static_cast<useconds_t>(hold_us));
  span.end.store(Tick(shared));
  return 0;  // the port goes with this process
}

struct Held {
  Lease lease;
  int fd;  // the listener, or -1
  Shared::Span* span;
};

// Give releases one held port. False when the release failed.
bool Give(Held& h, Shared* shared) {
  if (h.fd >= 0) close(h.fd);
  h.span->end.store(Tick(shared));
  const uint16_t port = h.lease.port();
  absl::Status s = h.lease.Release();
  if (!s.ok()) {
    std::fprintf(stderr, "release of %d failed: %s\n", port,
                 std::string(s.message()).c_str());
    return false;
  }
  return true;
}

// CloseListeners closes a forked child's copies of the holder's listeners:
// a copy would keep a port listened on after the holder gave it back.
void CloseListeners(const std::vector<Held>& held) {
  for (const Held& h : held) {
    if (h.fd >= 0) close(h.fd);
  }
}

// RecordNames says whether the lease file of `port` still names `pid`.
bool RecordNames(const Options& options, uint16_t port, pid_t pid) {
  std::ifstream in(fs::path(*options.registry_dir) / "leases" /
                   absl::StrCat(port, ".lock"));
  std::stringstream s;
  s << in.rdbuf();
  return absl::StrContains(s.str(), absl::StrCat("\npid ", pid, "\n"));
}

// Reap collects the holder's children that ended (all of them when
// `block`), counting those that failed.
int Reap(bool block) {
  int failed = 0, status;
  for (pid_t pid; (pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0;) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "a child of holder %d ended with status %d\n",
                   getpid(), status);
      ++failed;
    }
  }
  return failed;
}

// ForkAcquirer forks a process that acquires `app`, logs its span, hands
// the lease across exec and execs a server: this binary itself, closing
// its descriptors (kExecServer), or behind `sh -c 'server & exit 0'`
// (kWrapper). Returns once the process has the port (or failed): false
// when it failed.
bool ForkAcquirer(Kind kind, const std::string& app, const Options& options,
                  Shared* shared, const std::string& shared_path,
                  const std::vector<Held>& held, std::mt19937& rng) {
  const int hold_us = 5000 + static_cast<int>(rng() % 60000);
  const bool listen = rng() % 2 == 0;
  int ready[2];
  if (!Pipe(ready)) return false;
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(ready[0]);
    CloseListeners(held);
    auto lease = Acquire(app, options);
    char ok = 0;
    Shared::Span* span = nullptr;
    absl::StatusOr<intptr_t> fd = absl::InternalError("no lease");
    if (lease.ok()) {
      span = NewSpan(shared, lease->port(), kind, -1, getpid());
      fd = lease->InheritAcrossExec();
      if (!fd.ok()) {
        std::fprintf(stderr, "InheritAcrossExec: %s\n",
                     std::string(fd.status().message()).c_str());
      }
    } else {
      std::fprintf(stderr, "acquire failed: %s\n",
                   std::string(lease.status().message()).c_str());
    }
    ok = span != nullptr && fd.ok() ? 1 : 0;
    // The holder may be a victim killed meanwhile: no SIGPIPE for that.
    signal(SIGPIPE, SIG_IGN);
    (void)!write(ready[1], &ok, 1);
    signal(SIGPIPE, SIG_DFL);
    if (!ok) _exit(1);
    const std::string index = absl::StrCat(IndexOf(shared, span));
    const std::string hold = absl::StrCat(hold_us);
    const std::string listening = listen ? "1" : "0";
    if (kind == kExecServer) {
      execl(self_path.c_str(), self_path.c_str(), "--stress-server",
            shared_path.c_str(), index.c_str(), hold.c_str(), listening.c_str(),
            "1", static_cast<char*>(nullptr));
    } else {
      // The wrapper (this PID, the one on file) is gone at once; the
      // server it backgrounds keeps the inherited lease descriptor.
      execl("/bin/sh", "sh", "-c",
            "\"$0\" --stress-server \"$1\" \"$2\" \"$3\" \"$4\" 0 "
            "</dev/null & exit 0",
            self_path.c_str(), shared_path.c_str(), index.c_str(), hold.c_str(),
            listening.c_str(), static_cast<char*>(nullptr));
    }
    std::fprintf(stderr, "exec: %s\n", std::strerror(errno));
    // Exit before the span's end: the port goes with this process now.
    span->end.store(Tick(shared));
    _exit(127);
  }
  close(ready[1]);
  char ok = 0;
  const bool got = read(ready[0], &ok, 1) == 1 && ok == 1;
  close(ready[0]);
  return got;
}

// Settle holds on a moment, then gives back all but up to two of `held`
// (at random) and reaps finished children. Returns the failures.
int Settle(std::vector<Held>& held, Shared* shared, std::mt19937& rng) {
  int failures = 0;
  usleep(rng() % 2000);
  const size_t keep = rng() % 3;
  while (held.size() > keep) {
    const size_t k = rng() % held.size();
    if (!Give(held[k], shared)) ++failures;
    held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
  }
  return failures + Reap(false);
}

// RunHolder is one holder: kEach allocations for random apps, holding up
// to three ports at a time, each for a random short while, in the ways of
// the file comment. Each new port is bound with a listener at once; half
// of them keep listening while held. A victim keeps what it holds at the
// end and waits to be killed. Returns the exit code.
int RunHolder(int index, bool victim, const Options& options, Shared* shared,
              const std::string& shared_path) {
  std::mt19937 rng(kSeed + static_cast<uint32_t>(index));
  std::vector<Held> held;
  int failures = 0;
  for (int i = 0; i < kEach; ++i) {
    const std::string app = absl::StrCat("app", rng() % 12);
    const uint32_t pick = rng() % 100;
    const Kind kind = pick < 56   ? kPlain
                      : pick < 64 ? kGroup
                      : pick < 73 ? kForkRelease
                      : pick < 82 ? kLongChild
                      : pick < 91 ? kExecServer
                                  : kWrapper;
    if (kind == kExecServer || kind == kWrapper) {
      if (!ForkAcquirer(kind, app, options, shared, shared_path, held, rng)) {
        ++failures;
      }
      shared->count[index].fetch_add(1);
      failures += Reap(false);
      continue;
    }
    if (kind == kGroup) {
      // Three distinct apps, overlapping other holders' names.
      const std::vector<std::string> apps = {
          app, absl::StrCat("app", (rng() % 12 + 12)),
          absl::StrCat("app", (rng() % 12 + 24))};
      auto group = AcquireGroup(apps, options);
      if (!group.ok()) {
        std::fprintf(stderr, "acquire group failed: %s\n",
                     std::string(group.status().message()).c_str());
        ++failures;
        continue;
      }
      shared->count[index].fetch_add(1);
      for (Lease& member : *group) {
        const uint16_t port = member.port();
        Shared::Span* span = NewSpan(shared, port, kGroup, -1, getpid());
        if (span == nullptr) {
          ++failures;
          continue;
        }
        if (port < kLo || port > kHi) {
          Violation(shared,
                    absl::StrCat("port ", port, " is outside the range"));
        }
        int fd = -1;
        if (!BindOnce(shared, port, rng() % 2 == 0, &fd)) ++failures;
        held.push_back({std::move(member), fd, span});
      }
      failures += Settle(held, shared, rng);
      continue;
    }
    auto lease = Acquire(app, options);
    if (!lease.ok()) {
      std::fprintf(stderr, "acquire failed: %s\n",
                   std::string(lease.status().message()).c_str());
      ++failures;
      continue;
    }
    const uint16_t port = lease->port();
    Shared::Span* span = NewSpan(shared, port, kind, -1, getpid());
    if (span == nullptr) {
      ++failures;
      continue;
    }
    shared->count[index].fetch_add(1);
    if (port < kLo || port > kHi) {
      Violation(shared, absl::StrCat("port ", port, " is outside the range"));
    }
    int fd = -1;
    if (!BindOnce(shared, port, rng() % 2 == 0, &fd)) ++failures;
    held.push_back({*std::move(lease), fd, span});

    if (kind == kForkRelease) {
      // The child gives back (destroys) its copy of every Lease held here,
      // this one included; every one must stay this process's.
      const bool explicitly = rng() % 2 == 0;
      std::fflush(nullptr);
      const pid_t child = fork();
      if (child == 0) {
        CloseListeners(held);
        if (explicitly) {
          for (Held& h : held) (void)h.lease.Release();
        }
        held.clear();  // destroys them
        _exit(0);
      }
      int status = 0;
      if (child < 0 || waitpid(child, &status, 0) != child ||
          !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ++failures;
      }
      for (const Held& h : held) {
        if (!RecordNames(options, h.lease.port(), getpid())) {
          Violation(shared, absl::StrCat("a forked child's release dropped "
                                         "the record of port ",
                                         h.lease.port()));
        }
      }
      usleep(rng() % 3000);  // and the port stays held meanwhile
    } else if (kind == kLongChild) {
      // The child shares the lease lock: the port stays taken for as long
      // as it lives, whatever this process does with its Lease meanwhile.
      const int lives_us = 1000 + static_cast<int>(rng() % 30000);
      int ready[2];
      if (!Pipe(ready)) return 1;
      std::fflush(nullptr);
      const pid_t child = fork();
      if (child == 0) {
        close(ready[0]);
        CloseListeners(held);
        Shared::Span* mine =
            NewSpan(shared, port, kLongChild, IndexOf(shared, span), getpid());
        close(ready[1]);
        usleep(static_cast<useconds_t>(lives_us));
        if (mine != nullptr) mine->end.store(Tick(shared));
        _exit(mine != nullptr ? 0 : 1);
      }
      close(ready[1]);
      char c;
      (void)!read(ready[0], &c, 1);  // EOF once the child closed its copies
      close(ready[0]);
      if (child < 0) ++failures;
    }

    failures += Settle(held, shared, rng);
  }
  if (victim) {
    for (;;) pause();  // killed holding what it holds
  }
  for (Held& h : held) {
    if (!Give(h, shared)) ++failures;
  }
  failures += Reap(true);
  return failures == 0 ? 0 : 1;
}

// Overlaps returns one line per pair of spans of one port, of different
// leases, that overlap: two live holders. `killed_at` ends the open spans
// of the processes SIGKILLed (the tick just before); a span left open by a
// process that was not killed is reported too.
std::vector<std::string> Overlaps(const Shared& shared,
                                  const std::map<pid_t, uint64_t>& killed_at) {
  struct Span {
    uint64_t start, end;
    int32_t lease;
    pid_t pid;
    uint8_t kind;
  };
  std::vector<std::string> found;
  std::map<uint16_t, std::vector<Span>> by_port;
  const int32_t used = std::min(shared.spans_used.load(), kMaxSpans);
  for (int32_t i = 0; i < used; ++i) {
    const Shared::Span& s = shared.spans[i];
    const pid_t pid = s.pid.load();
    uint64_t end = s.end.load();
    if (end == 0) {
      auto it = killed_at.find(pid);
      if (it == killed_at.end()) {
        found.push_back(absl::StrCat("port ", s.port, ": pid ", pid, " (",
                                     kKindNames[s.kind],
                                     ") never ended its hold"));
        end = UINT64_MAX;
      } else {
        end = it->second;
      }
    }
    by_port[s.port].push_back({s.start, end, s.lease, pid, s.kind});
  }
  for (auto& [port, spans] : by_port) {
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start < b.start; });
    for (size_t k = 1; k < spans.size(); ++k) {
      for (size_t j = 0; j < k; ++j) {
        const Span& a = spans[j];
        const Span& b = spans[k];
        if (b.start < a.end && a.lease != b.lease) {
          found.push_back(absl::StrCat(
              "port ", port, ": pid ", a.pid, " (", kKindNames[a.kind],
              ") held it from tick ", a.start, " to ", a.end, ", pid ", b.pid,
              " (", kKindNames[b.kind], ") from tick ", b.start));
        }
      }
    }
  }
  return found;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StressTest, ManyHoldersSomeKilledNeverShareAPort) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path top = fs::path(tmp ? tmp : "/tmp");
  const fs::path dir = top / "stress";
  fs::remove_all(dir);
  Options options;
  options.registry_dir = dir.string();
  options.range = PortRange{kLo, kHi};
  // The memory's lock is only taken to remember new ports.
  options.lock_timeout = absl::Seconds(120);

  const std::string shared_path = (top / "stress-shared").string();
  Shared* shared = MapShared(shared_path, /*create=*/true);
  ASSERT_NE(shared, nullptr) << shared_path << ": " << std::strerror(errno);
#ifdef __linux__
  // Orphans (servers behind wrappers, children of killed holders) come
  // back to this process, which waits for every one of them. (Elsewhere
  // they go to init; see below.)
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
#endif

  std::mt19937 rng(kSeed);
  std::vector<bool> victim(kProcs, false);
  for (int picked = 0; picked < kVictims;) {
    const size_t i = rng() % kProcs;
    if (!victim[i]) {
      victim[i] = true;
      ++picked;
    }
  }
  // Each victim dies 0-3 ms after its Nth port, N random in 1..kEach-1.
  std::vector<int> kill_after(kProcs), kill_delay_us(kProcs);
  for (int i = 0; i < kProcs; ++i) {
    kill_after[i] = 1 + static_cast<int>(rng() % (kEach - 1));
    kill_delay_us[i] = static_cast<int>(rng() % 3000);
  }

  const absl::Time start = absl::Now();
  std::fflush(nullptr);
  std::map<pid_t, int> holders;  // pid -> holder index
  std::vector<pid_t> pids(kProcs);
  for (int i = 0; i < kProcs; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      _exit(RunHolder(i, victim[i], options, shared, shared_path));
    }
    pids[i] = pid;
    holders[pid] = i;
  }

  // Watch: kill victims on cue, reap everyone (holders and every orphan),
  // and read the registry meanwhile.
  std::vector<absl::Time> kill_at(kProcs, absl::InfiniteFuture());
  std::vector<bool> killed(kProcs, false);
  std::map<pid_t, uint64_t> killed_at;
  int decoded = 0, bad = 0, rounds = 0, orphans = 0;
  std::string first_bad;
  const fs::path file = dir / "registry";
  for (;;) {
    const absl::Time now = absl::Now();
    ASSERT_LT(now - start, absl::Seconds(240)) << "the holders hang";
    for (int i = 0; i < kProcs; ++i) {
      if (!victim[i] || killed[i]) continue;
      if (kill_at[i] == absl::InfiniteFuture() &&
          shared->count[i].load() >= kill_after[i]) {
        kill_at[i] = now + absl::Microseconds(kill_delay_us[i]);
      }
      if (now >= kill_at[i]) {
        killed_at[pids[i]] = Tick(shared);
        kill(pids[i], SIGKILL);
        killed[i] = true;
      }
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = holders.find(pid);
      if (it == holders.end()) {
        ++orphans;
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "orphan " << pid << " failed: " << status;
        continue;
      }
      const int i = it->second;
      if (victim[i]) {
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "victim " << i << " ended otherwise: " << status;
      } else {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "holder " << i << " failed: " << status;
      }
    }
    if (pid < 0 && errno == ECHILD) break;  // everyone is gone
    // Readers never take the lock: the atomic replace alone must keep them
    // from seeing a half-written file. (Every 10 ms: decoding takes CPU
    // time the holders need.)
    if (++rounds % 10 == 0 && fs::exists(file)) {
      auto data = registry::DecodeMemory(ReadAll(file));
      if (data.ok()) {
        ++decoded;
      } else if (bad++ == 0) {
        first_bad = std::string(data.status().message());
      }
    }
    usleep(1000);
  }
#ifndef __linux__
  // Without a subreaper, servers behind wrappers went to init: wait until
  // each has ended its span (they live 65 ms at most).
  for (bool open = true; open && absl::Now() - start < absl::Seconds(240);) {
    open = false;
    const int32_t n = std::min(shared->spans_used.load(), kMaxSpans);
    for (int32_t i = 0; i < n && !open; ++i) {
      const Shared::Span& s = shared->spans[i];
      open = s.end.load() == 0 && killed_at.count(s.pid.load()) == 0;
    }
    if (open) usleep(1000);
  }
#endif
  const absl::Duration took = absl::Now() - start;
  int by_kind[kKinds] = {};
  const int32_t used = std::min(shared->spans_used.load(), kMaxSpans);
  for (int32_t i = 0; i < used; ++i) ++by_kind[shared->spans[i].kind];
  std::printf(
      "%d holders x %d allocations, %d killed, in %s; %d holds: %d plain, "
      "%d fork-release, %d long children, %d exec'd servers that closed "
      "their descriptors, %d behind wrappers, %d in groups of three; %d "
      "orphans reaped; registry decoded %d times while they ran\n",
      kProcs, kEach, kVictims, absl::FormatDuration(took).c_str(), used,
      by_kind[kPlain], by_kind[kForkRelease], by_kind[kLongChild],
      by_kind[kExecServer], by_kind[kWrapper], by_kind[kGroup], orphans,
      decoded);
  ASSERT_LT(shared->spans_used.load(), kMaxSpans) << "spans ran out";
  for (int k = 0; k < kKinds; ++k) {
    EXPECT_GT(by_kind[k], 0) << "no hold of kind " << kKindNames[k];
  }

  EXPECT_EQ(shared->violations.load(), 0) << "see VIOLATION lines above";
  EXPECT_EQ(shared->failures.load(), 0) << "a server failed";
  const std::vector<std::string> overlaps = Overlaps(*shared, killed_at);
  for (size_t k = 0; k < overlaps.size() && k < 10; ++k) {
    ADD_FAILURE() << "two live holders: " << overlaps[k];
  }
  EXPECT_EQ(overlaps.size(), 0u) << "holds that overlap";
  EXPECT_EQ(bad, 0) << "first failure: " << first_bad;
  EXPECT_GT(decoded, 0);

  // Allocations drop stale entries as they go, so few if any are left by
  // now: leave some for the prune, held by holders killed with nobody
  // allocating after them.
  std::vector<pid_t> last;
  for (int i = 0; i < 4; ++i) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto a = Acquire("last", options);
      auto b = Acquire("last", options);
      const char ok = a.ok() && b.ok() ? 1 : 0;
      (void)!write(ready[1], &ok, 1);
      for (;;) pause();
    }
    char ok = 0;
    EXPECT_EQ(read(ready[0], &ok, 1), 1);
    EXPECT_EQ(ok, 1) << "a last holder could not acquire";
    close(ready[0]);
    close(ready[1]);
    last.push_back(pid);
  }
  for (pid_t pid : last) {
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
  }

  auto list = List(options);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_GE(list->size(), last.size() * 2);
  for (const Entry& e : *list) {
    EXPECT_EQ(e.state, EntryState::kStale)
        << e.app << " " << e.port << " pid " << e.pid << " (" << e.hold
        << "): every holder is gone";
  }
  auto pruned = Prune(options);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, static_cast<int>(list->size()));
  std::printf("%zu stale entries pruned\n", list->size());
  EXPECT_TRUE(registry::DecodeMemory(ReadAll(file)).ok());
  EXPECT_EQ(List(options)->size(), 0u);

  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    EXPECT_FALSE(absl::StrContains(name, "corrupt"))
        << name << ": a registry did not decode at some point";
    EXPECT_FALSE(absl::StrContains(name, ".tmp-"))
        << name << ": a killed writer's temp file outlived a prune";
  }
  munmap(shared, sizeof(Shared));
}

}  // namespace
}  // namespace berth

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--stress-server") == 0) {
    return berth::ServerMain(argc, argv);
  }
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  berth::self_path =
      n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string(argv[0]);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
