// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// Many processes allocating and releasing at once through the C++ API, a
// quarter of them SIGKILLed at random points (inside a registry transaction
// as often as not). What must hold:
//   - no port is ever held by two live owners: every hold is logged with
//     ticks of a clock shared by all processes, and no two holds of a port
//     overlap; each holder also binds 127.0.0.1:PORT with a listening socket
//     when it gets the port, which fails (EADDRINUSE) if another listens;
//   - the registry file decodes whenever anyone looks, and is never moved
//     aside as corrupt;
//   - once everyone is gone, every entry left is stale, and a prune leaves
//     none (and no temp file of a killed writer).

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
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
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/lease.h"
#include "gtest/gtest.h"
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

// Shared lives in memory mapped shared before the fork: every process sees
// it. Lock-free atomics work across processes.
struct Shared {
  // One clock for all processes: each tick is a fetch_add, so ticks are
  // totally ordered and consistent with each process's own order.
  std::atomic<uint64_t> clock;
  // Hold is one port held by one child: from `start` (ticked after Acquire
  // returned, so the registry entry was written before) to `end` (ticked
  // before Release began, so the entry is dropped after; 0 while held).
  // Each measured span lies within the real one, so two spans of a port
  // that overlap mean two live holders, never a false alarm.
  struct Hold {
    uint16_t port;
    uint64_t start;
    std::atomic<uint64_t> end;
  };
  Hold holds[kProcs][kEach];
  std::atomic<int32_t> count[kProcs];  // holds[i][0..count) are filled in
  std::atomic<int32_t> violations;
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

// Listen binds a listening socket on 127.0.0.1:port; -1 with errno set when
// it cannot. SO_REUSEADDR only forgives TIME_WAIT: Linux still refuses a
// second bind while a listener holds the port.
int Listen(uint16_t port) {
  // socket() then FD_CLOEXEC: macOS has no SOCK_CLOEXEC.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(fd, 1) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

struct Held {
  Lease lease;
  int fd;  // the listener, or -1
  Shared::Hold* hold;
};

// Violation reports a broken promise from a child (no gtest after fork).
void Violation(Shared* shared, const std::string& what) {
  shared->violations.fetch_add(1);
  std::fprintf(stderr, "VIOLATION (pid %d): %s\n", getpid(), what.c_str());
}

// Give releases one held port. False when the release failed.
bool Give(Held& h, Shared* shared) {
  if (h.fd >= 0) close(h.fd);
  h.hold->end.store(shared->clock.fetch_add(1) + 1);
  const uint16_t port = h.lease.port();
  absl::Status s = h.lease.Release();
  if (!s.ok()) {
    std::fprintf(stderr, "release of %d failed: %s\n", port,
                 std::string(s.message()).c_str());
    return false;
  }
  return true;
}

// RunChild is one holder: kEach allocations for random apps, holding up to
// three ports at a time, each for a random short while. Each new port is
// bound with a listener at once; half of them keep listening while held,
// the other half are held by the registry alone (a listener would make
// berth's port probe skip them and hide a registry that forgot them). A
// victim keeps what it holds at the end and waits to be killed. Returns the
// exit code.
int RunChild(int index, bool victim, const Options& options, Shared* shared) {
  std::mt19937 rng(kSeed + static_cast<uint32_t>(index));
  std::vector<Held> held;
  int failures = 0;
  for (int i = 0; i < kEach; ++i) {
    auto lease = Acquire(absl::StrCat("app", rng() % 12), options);
    if (!lease.ok()) {
      std::fprintf(stderr, "acquire failed: %s\n",
                   std::string(lease.status().message()).c_str());
      ++failures;
      continue;
    }
    const uint16_t port = lease->port();
    Shared::Hold& hold = shared->holds[index][shared->count[index].load()];
    hold.port = port;
    hold.start = shared->clock.fetch_add(1) + 1;
    shared->count[index].fetch_add(1);
    if (port < kLo || port > kHi) {
      Violation(shared, absl::StrCat("port ", port, " is outside the range"));
    }
    int fd = Listen(port);
    if (fd < 0) {
      if (errno == EADDRINUSE) {
        Violation(shared, absl::StrCat("bind 127.0.0.1:", port,
                                       ": address in use: two live holders"));
      } else {
        std::fprintf(stderr, "bind %d: %s\n", port, std::strerror(errno));
        ++failures;
      }
    } else if (rng() % 2 == 0) {
      close(fd);
      fd = -1;
    }
    held.push_back({*std::move(lease), fd, &hold});
    usleep(rng() % 2000);
    const size_t keep = rng() % 3;
    while (held.size() > keep) {
      const size_t k = rng() % held.size();
      if (!Give(held[k], shared)) ++failures;
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  if (victim) {
    for (;;) pause();  // killed holding what it holds
  }
  for (Held& h : held) {
    if (!Give(h, shared)) ++failures;
  }
  return failures == 0 ? 0 : 1;
}

// Overlaps returns one line per pair of holds of one port whose spans
// overlap: two live holders. `ended[i]` ends child i's unfinished holds
// (the tick just before it was killed).
std::vector<std::string> Overlaps(const Shared& shared,
                                  const std::vector<pid_t>& pids,
                                  const std::vector<uint64_t>& ended) {
  struct Span {
    uint64_t start, end;
    pid_t pid;
  };
  std::map<uint16_t, std::vector<Span>> by_port;
  for (int i = 0; i < kProcs; ++i) {
    for (int k = 0; k < shared.count[i].load(); ++k) {
      const Shared::Hold& h = shared.holds[i][k];
      uint64_t end = h.end.load();
      if (end == 0) end = ended[i];
      by_port[h.port].push_back({h.start, end, pids[i]});
    }
  }
  std::vector<std::string> found;
  for (auto& [port, spans] : by_port) {
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start < b.start; });
    // `latest`: of the spans so far, the one that ends last.
    for (size_t k = 1, latest = 0; k < spans.size(); ++k) {
      const Span& before = spans[latest];
      if (spans[k].start < before.end) {
        found.push_back(absl::StrCat("port ", port, ": pid ", before.pid,
                                     " held it from tick ", before.start,
                                     " to ", before.end, ", pid ", spans[k].pid,
                                     " from tick ", spans[k].start));
      }
      if (spans[k].end > before.end) latest = k;
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
  const fs::path dir = fs::path(tmp ? tmp : "/tmp") / "stress";
  fs::remove_all(dir);
  Options options;
  options.registry_dir = dir.string();
  options.range = PortRange{kLo, kHi};
  // The memory's lock is only taken to remember new ports.
  options.lock_timeout = absl::Seconds(120);

  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  Shared* shared = new (mem) Shared();

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
  std::map<pid_t, int> running;  // pid -> child index
  std::vector<pid_t> pids(kProcs);
  for (int i = 0; i < kProcs; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(RunChild(i, victim[i], options, shared));
    pids[i] = pid;
    running[pid] = i;
  }

  // Watch: kill victims on cue, reap, and read the registry meanwhile.
  std::vector<absl::Time> kill_at(kProcs, absl::InfiniteFuture());
  std::vector<bool> killed(kProcs, false);
  std::vector<uint64_t> ended(kProcs, 0);
  int decoded = 0, bad = 0, rounds = 0;
  std::string first_bad;
  const fs::path file = dir / "registry";
  while (!running.empty()) {
    const absl::Time now = absl::Now();
    ASSERT_LT(now - start, absl::Seconds(240)) << "the children hang";
    for (int i = 0; i < kProcs; ++i) {
      if (!victim[i] || killed[i]) continue;
      if (kill_at[i] == absl::InfiniteFuture() &&
          shared->count[i].load() >= kill_after[i]) {
        kill_at[i] = now + absl::Microseconds(kill_delay_us[i]);
      }
      if (now >= kill_at[i]) {
        ended[i] = shared->clock.fetch_add(1) + 1;
        kill(pids[i], SIGKILL);
        killed[i] = true;
      }
    }
    int status;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      const int i = running[pid];
      running.erase(pid);
      if (victim[i]) {
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "victim " << i << " ended otherwise: " << status;
      } else {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "holder " << i << " failed: " << status;
      }
    }
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
  const absl::Duration took = absl::Now() - start;
  std::printf(
      "%d holders x %d allocations, %d killed, in %s; registry "
      "decoded %d times while they ran\n",
      kProcs, kEach, kVictims, absl::FormatDuration(took).c_str(), decoded);

  EXPECT_EQ(shared->violations.load(), 0) << "see VIOLATION lines above";
  const std::vector<std::string> overlaps = Overlaps(*shared, pids, ended);
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
        << e.app << " " << e.port << " pid " << e.pid
        << ": every holder is gone";
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
  munmap(mem, sizeof(Shared));
}

}  // namespace
}  // namespace berth
