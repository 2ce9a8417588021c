// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The registry against real files (in the test's temp dir), a fake process
// table and a fake port probe.

#include "registry/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/fake_process.h"
#include "platform/file.h"
#include "platform/port.h"
#include "registry/codec.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace berth::registry {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using platform::FakeProcessInspector;
using platform::ProcessIdentity;

constexpr uint64_t kSandbox = 4026532180;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = fs::path(tmp ? tmp : "/tmp") /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_.parent_path());
  }

  Options MakeOptions() {
    Options o;
    o.dir = dir_.string();
    o.lock_timeout = absl::Milliseconds(200);
    o.inspector = &fake_;
    o.probe = [this](uint16_t port) -> absl::StatusOr<platform::PortProbe> {
      ++probes_;
      platform::PortProbe p;
      p.ipv4 = busy_.count(port) ? platform::FamilyState::kBusy
                                 : platform::FamilyState::kFree;
      p.ipv6 = excluded_.count(port) ? platform::FamilyState::kExcluded
                                     : platform::FamilyState::kFree;
      return p;
    };
    o.describe_listener = [this](uint16_t port) {
      described_.push_back(port);
      return std::string("python3 (pid 4321)");
    };
    o.now = [] { return absl::FromUnixSeconds(1764180000); };
    o.ephemeral = [] { return std::optional<allocator::PortRange>(); };
    o.warnings = &warnings_;
    return o;
  }

  Registry Make() { return Registry(MakeOptions()); }

  // Reserve is `berth get`: a reservation for `owner`, no lock kept.
  absl::StatusOr<Claim> Reserve(const std::string& app,
                                const ProcessIdentity& owner,
                                std::optional<uint16_t> wanted = {},
                                const std::string& scope = "") {
    auto claims = Allocate({app}, owner, Hold::kPid, wanted, scope);
    if (!claims.ok()) return claims.status();
    return std::move(claims->front());
  }

  absl::StatusOr<std::vector<Claim>> Allocate(
      std::vector<std::string> apps, const ProcessIdentity& owner, Hold hold,
      std::optional<uint16_t> wanted = {}, const std::string& scope = "") {
    AllocateRequest r;
    r.apps = std::move(apps);
    r.scope = scope;
    r.holder.identity = owner;
    r.holder.pid_namespace = platform::kInitialPidNamespace;
    r.holder.hold = hold;
    r.wanted = wanted;
    r.reuse_existing = hold == Hold::kPid;
    r.range = range_;
    return Make().Allocate(r);
  }

  std::vector<Entry> Listed() {
    auto list = Make().List();
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *list : std::vector<Entry>();
  }

  fs::path LeaseFile(uint16_t port) {
    return dir_ / "leases" / absl::StrCat(port, ".lock");
  }

  // WriteRecord puts `r` in its port's lease file, as a holder would.
  void WriteRecord(const LeaseRecord& r) {
    fs::create_directories(dir_ / "leases");
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
    fs::permissions(dir_ / "leases", fs::perms::owner_all,
                    fs::perm_options::replace);
    WriteAll(LeaseFile(r.port), EncodeLease(r));
  }

  LeaseRecord RecordFor(uint16_t port, const ProcessIdentity& owner,
                        Hold hold) {
    LeaseRecord r;
    r.port = port;
    r.app = "other";
    r.pid = owner.pid;
    r.start = owner.start_token;
    r.unique_id = owner.unique_id;
    r.pid_namespace = platform::kInitialPidNamespace;
    r.boot_id = FakeProcessInspector::kDefaultBootId;
    r.since = 1;
    r.hold = hold;
    return r;
  }

  std::vector<std::string> Backups() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (absl::StrContains(name, ".corrupt-")) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
  FakeProcessInspector fake_;
  allocator::PortRange range_ = allocator::kDefaultRange;
  std::set<uint16_t> busy_;
  std::set<uint16_t> excluded_;
  std::vector<uint16_t> described_;
  int probes_ = 0;
  std::ostringstream warnings_;
};

// --- Taking ports -------------------------------------------------------------

TEST_F(RegistryTest, ReservationIsRecordedInItsLeaseFile) {
  const ProcessIdentity shell = fake_.StartProcess("shell");
  auto got = Reserve("web", shell);
  ASSERT_TRUE(got.ok()) << got.status();
  const uint16_t port = got->entry.record.port;
  EXPECT_EQ(port, allocator::DerivedPort("web", allocator::kDefaultRange));
  EXPECT_FALSE(got->existing);
  EXPECT_FALSE(got->lock.held()) << "a reservation keeps no lock";
  EXPECT_EQ(got->reason, absl::StrCat("took ", port, ", derived from the app name"));

  // The lease file holds the documented record.
  absl::StatusOr<LeaseRecord> r = DecodeLease(ReadAll(LeaseFile(port)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->app, "web");
  EXPECT_EQ(r->pid, shell.pid);
  EXPECT_EQ(r->start, shell.start_token);
  EXPECT_EQ(r->pid_namespace, platform::kInitialPidNamespace);
  EXPECT_EQ(r->boot_id, FakeProcessInspector::kDefaultBootId);
  EXPECT_EQ(r->since, 1764180000);
  EXPECT_EQ(r->hold, Hold::kPid);

  const std::vector<Entry> list = Listed();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].record.port, port);
  EXPECT_EQ(list[0].state, EntryState::kLive);

  // The memory remembers it.
  EXPECT_EQ(ReadAll(dir_ / "registry"),
            absl::StrCat("berth-registry 2\nremember - web ", port, "\nend\n"));
#ifndef _WIN32  // Windows: the directory inherits its parent's ACL
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all,
            fs::perms::owner_all);
#endif
}

TEST_F(RegistryTest, SameOwnerSameAppGetsTheSamePort) {
  const ProcessIdentity shell = fake_.StartProcess();
  auto first = Reserve("web", shell);
  auto again = Reserve("web", shell);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->entry.record.port, first->entry.record.port);
  EXPECT_TRUE(again->existing);
  EXPECT_THAT(again->reason, HasSubstr("already holds for web"));
  EXPECT_EQ(Listed().size(), 1u);
}

TEST_F(RegistryTest, AskingAgainGivesTheOwnersPortAfterAnotherHolderTookOne) {
  const ProcessIdentity shell = fake_.StartProcess("shell");
  auto first = Reserve("web", shell);
  ASSERT_TRUE(first.ok()) << first.status();
  {
    // `berth run web` meanwhile: another port, which the memory now names
    // first; then it ends.
    auto run = Allocate({"web"}, fake_.StartProcess("server"), Hold::kLock);
    ASSERT_TRUE(run.ok()) << run.status();
    ASSERT_NE(run->front().entry.record.port, first->entry.record.port);
    ASSERT_TRUE(VacateLease(run->front().lock).ok());
  }
  auto again = Reserve("web", shell);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->entry.record.port, first->entry.record.port);
  EXPECT_TRUE(again->existing);
  EXPECT_EQ(Listed().size(), 1u) << "the shell holds one port, not two";
}

TEST_F(RegistryTest, AReaderLookingDoesNotCostAnAppItsPort) {
  auto first = Allocate({"web"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = first->front().entry.record.port;
  ASSERT_TRUE(VacateLease(first->front().lock).ok());

  // `berth list` looking at the record (the reader lock) for 2 ms.
  absl::StatusOr<platform::FileLock> reader =
      platform::FileLock::TryLockForReading(LeaseFile(port).string());
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::thread looker([&] {
    absl::SleepFor(absl::Milliseconds(2));
    reader->Unlock();
  });
  auto again = Allocate({"web"}, fake_.StartProcess(), Hold::kLock);
  looker.join();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->front().entry.record.port, port) << again->front().reason;
}

TEST_F(RegistryTest, AReaderThatNeverLetsGoIsPassedOverSoon) {
  auto first = Allocate({"web"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = first->front().entry.record.port;
  ASSERT_TRUE(VacateLease(first->front().lock).ok());
  absl::StatusOr<platform::FileLock> reader =
      platform::FileLock::TryLockForReading(LeaseFile(port).string());
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto again = Allocate({"web"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->front().entry.record.port, port);
}

TEST_F(RegistryTest, TwoLiveOwnersNeverShareAPort) {
  auto a = Reserve("web", fake_.StartProcess());
  auto b = Reserve("web", fake_.StartProcess());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->entry.record.port, b->entry.record.port);
  EXPECT_THAT(b->reason, HasSubstr("is held by web (pid"));
}

TEST_F(RegistryTest, LeasesOfOneProcessGetAPortEach) {
  const ProcessIdentity me = fake_.StartProcess();
  auto a = Allocate({"web"}, me, Hold::kLock);
  auto b = Allocate({"web"}, me, Hold::kLock);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->front().entry.record.port, b->front().entry.record.port);
  EXPECT_TRUE(a->front().lock.held());
}

TEST_F(RegistryTest, DeadOwnersPortComesBackAtTheNextAllocation) {
  const ProcessIdentity shell = fake_.StartProcess();
  auto first = Reserve("web", shell);
  ASSERT_TRUE(first.ok());
  fake_.Kill(shell.pid);
  EXPECT_EQ(Listed()[0].state, EntryState::kStale);
  auto next = Reserve("web", fake_.StartProcess());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->entry.record.port, first->entry.record.port);
  EXPECT_THAT(next->reason, HasSubstr("freed from the stale entry of web"));
}

TEST_F(RegistryTest, ZombieOwnerIsStale) {
  const ProcessIdentity shell = fake_.StartProcess();
  ASSERT_TRUE(Reserve("web", shell).ok());
  fake_.Zombify(shell.pid);
  EXPECT_EQ(Listed()[0].state, EntryState::kStale);
}

TEST_F(RegistryTest, ReusedPidDoesNotKeepTheDeadOwnersPort) {
  const ProcessIdentity shell = fake_.StartProcess();
  auto first = Reserve("web", shell);
  ASSERT_TRUE(first.ok());
  fake_.ReusePid(shell.pid);
  const std::vector<Entry> list = Listed();
  EXPECT_EQ(list[0].state, EntryState::kStale);
  EXPECT_THAT(list[0].why, HasSubstr("now belongs to another process"));
}

// Issue case 12: a PID reused within one clock tick keeps the start token;
// the unique id (the pidfs inode on Linux 6.9+) tells them apart.
TEST_F(RegistryTest, PidReusedWithinOneTickIsToldApartByTheUniqueId) {
  const ProcessIdentity shell = fake_.AddProcess(4000, 777, "sh", 10001);
  ASSERT_TRUE(Reserve("web", shell).ok());
  EXPECT_EQ(Listed()[0].state, EntryState::kLive);
  fake_.AddProcess(4000, 777, "other", 10002);  // same PID, same tick
  EXPECT_EQ(Listed()[0].state, EntryState::kStale);
}

TEST_F(RegistryTest, AnotherBootMakesEveryEntryStale) {
  ASSERT_TRUE(Reserve("web", fake_.StartProcess()).ok());
  fake_.SetBootId("another-boot");
  const std::vector<Entry> list = Listed();
  EXPECT_EQ(list[0].state, EntryState::kStale);
  EXPECT_THAT(list[0].why, HasSubstr("booted"));
}

TEST_F(RegistryTest, UnknownOwnerKeepsItsPortAndIsNeverDropped) {
  const ProcessIdentity shell = fake_.StartProcess();
  auto first = Reserve("web", shell);
  ASSERT_TRUE(first.ok());
  fake_.MakeUnknown(shell.pid);
  EXPECT_EQ(Listed()[0].state, EntryState::kUnknown);
  EXPECT_EQ(*Make().Prune(), 0);
  auto other = Reserve("web", fake_.StartProcess());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->entry.record.port, first->entry.record.port);
  EXPECT_THAT(other->reason, HasSubstr("whose state is unknown"));
}

TEST_F(RegistryTest, PermissionDeniedOwnerIsLive) {
  const ProcessIdentity shell = fake_.StartProcess();
  ASSERT_TRUE(Reserve("web", shell).ok());
  fake_.DenyPermission(shell.pid);
  EXPECT_EQ(Listed()[0].state, EntryState::kLive);
}

// Issue case 6: a start token that could not be read is never compared.
TEST_F(RegistryTest, AnUnreadStartTokenIsNeverCompared) {
  const ProcessIdentity shell = fake_.StartProcess();
  AllocateRequest r;
  r.apps = {"web"};
  r.holder.identity = shell;
  r.holder.start_known = false;
  r.holder.pid_namespace = platform::kInitialPidNamespace;
  r.holder.hold = Hold::kPid;
  auto got = Make().Allocate(r);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->front().entry.record.start.has_value());
  std::vector<Entry> list = Listed();
  EXPECT_EQ(list[0].state, EntryState::kUnknown) << "alive, but unverifiable";
  EXPECT_THAT(list[0].why, HasSubstr("could not be read"));
  fake_.Kill(shell.pid);
  EXPECT_EQ(Listed()[0].state, EntryState::kStale);
}

// Issue case 7: PID 12 of one sandbox is not PID 12 of another. A judge in
// a namespace that cannot see the owner's never judges it by PID.
TEST_F(RegistryTest, AnotherPidNamespaceIsNeverJudgedByPid) {
  const uint16_t port = 8850;
  constexpr uint64_t kOtherSandbox = 4026532999;
  fake_.SetPidNamespace(FakeProcessInspector::kDefaultSelfPid, kOtherSandbox);
  LeaseRecord r = RecordFor(port, {12, 5000, 0}, Hold::kLockOrPid);
  r.pid_namespace = kSandbox;
  WriteRecord(r);
  // PID 12 here is another process, or none: neither says anything.
  fake_.AddProcess(12, 9999, "unrelated");
  fake_.SetPidNamespace(12, kOtherSandbox);
  std::vector<Entry> list = Listed();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, EntryState::kUnknown);
  EXPECT_THAT(list[0].why, HasSubstr("another PID namespace"));
  fake_.Kill(12);
  EXPECT_EQ(Listed()[0].state, EntryState::kUnknown);
  const ProcessIdentity me = fake_.StartProcess();
  fake_.SetPidNamespace(me.pid, kOtherSandbox);
  auto got = Allocate({"web"}, me, Hold::kLock, port);
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->front().entry.record.port, port);
  EXPECT_EQ(*Make().Prune(), 0);
}

// The initial namespace sees every process: it finds the owner that the
// owner's namespace numbers 12, and judges that process; once neither is
// there, the entry is stale (issue 9: entries do not outlive their
// namespace).
TEST_F(RegistryTest, TheInitialNamespaceFindsOwnersOfOtherNamespaces) {
  const uint16_t port = 8850;
  const ProcessIdentity server = fake_.StartProcess("server");  // as seen here
  LeaseRecord r = RecordFor(port, {12, server.start_token, 0},
                            Hold::kLockOrPid);
  r.pid_namespace = kSandbox;
  WriteRecord(r);
  fake_.SetForeignPid(kSandbox, 12, server.pid);
  auto entry = [&] {
    for (const Entry& e : Listed()) {
      if (e.record.port == port) return e;
    }
    return Entry{};
  };
  EXPECT_EQ(entry().state, EntryState::kLive);
  auto got = Reserve("web", fake_.StartProcess(), port);
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->entry.record.port, port);
  // Another time namespace: start tokens do not compare, and without a
  // unique id nothing else does.
  fake_.SetForeignPid(kSandbox, 12, server.pid, /*same_time_namespace=*/false);
  EXPECT_EQ(entry().state, EntryState::kUnknown);
  fake_.SetForeignPid(kSandbox, 12, server.pid);
  fake_.Kill(server.pid);
  EXPECT_EQ(entry().state, EntryState::kStale);
  fake_.SetForeignPid(kSandbox, 12, 0);  // the namespace is gone
  EXPECT_EQ(entry().state, EntryState::kStale);
  EXPECT_THAT(entry().why, HasSubstr("holds no such process any more"));
  got = Reserve("api", fake_.StartProcess(), port);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->entry.record.port, port);
}

// A holder that could not tell which namespace it was in (a /proc of
// another namespace) is never judged by PID anywhere.
TEST_F(RegistryTest, AnUnknownNamespaceIsNeverJudgedByPid) {
  const uint16_t port = 8850;
  LeaseRecord r = RecordFor(port, {12, 5000, 0}, Hold::kLockOrPid);
  r.pid_namespace = 0;
  WriteRecord(r);
  EXPECT_EQ(Listed()[0].state, EntryState::kUnknown);
  AllocateRequest request;
  request.apps = {"web"};
  request.holder.identity = fake_.StartProcess();
  request.holder.pid_namespace = std::nullopt;
  request.holder.hold = Hold::kLockOrPid;
  auto got = Make().Allocate(request);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->front().entry.record.pid_namespace, uint64_t{0})
      << "recorded as unknown, not left out (format 1 is judged by PID)";
}

// ... while the judge in the same namespace does judge it.
TEST_F(RegistryTest, TheSameNamespaceJudgesByPid) {
  const uint16_t port = 8850;
  fake_.SetPidNamespace(FakeProcessInspector::kDefaultSelfPid, kSandbox);
  LeaseRecord r = RecordFor(port, {12, 5000, 0}, Hold::kPid);
  r.pid_namespace = kSandbox;
  WriteRecord(r);
  EXPECT_EQ(Listed()[0].state, EntryState::kStale);  // no PID 12 here
}

// Issue case 2: a held lease lock means taken, for every kind of
// allocation, whoever is on file (here: nobody, or a dead process).
TEST_F(RegistryTest, AHeldLockMeansTakenWhoeverIsOnFile) {
  const uint16_t port = 8850;
  const ProcessIdentity gone = fake_.StartProcess();
  WriteRecord(RecordFor(port, gone, Hold::kLockOrPid));
  fake_.Kill(gone.pid);
  auto held = platform::FileLock::TryLock(LeaseFile(port).string());
  ASSERT_TRUE(held.ok()) << held.status();
  for (Hold hold : {Hold::kPid, Hold::kLock}) {
    auto got = Allocate({"web"}, fake_.StartProcess(), hold, port);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_NE(got->front().entry.record.port, port) << HoldName(hold);
    EXPECT_THAT(got->front().reason,
                HasSubstr(absl::StrCat("wanted port ", port, " is held by")));
  }
  auto state_of_port = [&] {
    for (const Entry& e : Listed()) {
      if (e.record.port == port) return e.state;
    }
    return EntryState::kUnknown;
  };
  EXPECT_EQ(state_of_port(), EntryState::kLive);
  held->Unlock();
  EXPECT_EQ(state_of_port(), EntryState::kStale);
}

// Issue case 1: a server that closed its inherited descriptors (lock free)
// still runs: its PID vouches for it.
TEST_F(RegistryTest, AFreeLockWithALiveOwnerIsStillTaken) {
  const uint16_t port = 8850;
  const ProcessIdentity server = fake_.StartProcess("server");
  WriteRecord(RecordFor(port, server, Hold::kLockOrPid));
  auto got = Reserve("web", fake_.StartProcess(), port);
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->entry.record.port, port);
  fake_.Kill(server.pid);
  got = Reserve("api", fake_.StartProcess(), port);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->entry.record.port, port);
}

// A kLock holder keeps its lock as long as it lives (held past close): a
// free lock means it let go or died, whatever its PID says (a forked child
// of it may carry the same identity).
TEST_F(RegistryTest, AFreeLockOfALockHolderIsStale) {
  const uint16_t port = 8850;
  const ProcessIdentity holder = fake_.StartProcess();
  WriteRecord(RecordFor(port, holder, Hold::kLock));
  auto got = Reserve("web", fake_.StartProcess(), port);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->entry.record.port, port);
}

TEST_F(RegistryTest, BusyPortsAreSkippedAndTheWantedOneDescribedAfterwards) {
  const uint16_t derived =
      allocator::DerivedPort("web", allocator::kDefaultRange);
  busy_ = {8850, derived};
  auto got = Reserve("web", fake_.StartProcess(), 8850);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->reason,
            absl::StrCat("wanted port 8850 is busy: python3 (pid 4321) "
                         "listens on it; derived port ",
                         derived, " is busy; took ", derived + 1,
                         ", the first free port scanning up from ", derived));
  EXPECT_THAT(described_, ElementsAre(8850)) << "only the wanted port";
  EXPECT_THAT(Listed(), ::testing::SizeIs(1)) << "busy ports get no record";
}

TEST_F(RegistryTest, PortsTheOsReservesAreSkipped) {
  const uint16_t derived =
      allocator::DerivedPort("web", allocator::kDefaultRange);
  excluded_ = {derived};
  auto got = Reserve("web", fake_.StartProcess());
  ASSERT_TRUE(got.ok());
  EXPECT_THAT(got->reason,
              HasSubstr(absl::StrCat("is ", platform::ExcludedPortReason())));
}

TEST_F(RegistryTest, ExhaustionSaysWhatHoldsThePorts) {
  range_ = {9000, 9003};
  busy_ = {9000};
  ASSERT_TRUE(Reserve("a", fake_.StartProcess()).ok());
  ASSERT_TRUE(Reserve("b", fake_.StartProcess()).ok());
  const ProcessIdentity odd = fake_.StartProcess();
  ASSERT_TRUE(Reserve("c", odd).ok());
  fake_.MakeUnknown(odd.pid);
  auto got = Reserve("d", fake_.StartProcess(), 9001);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(got.status().message(),
              HasSubstr("2 held by live processes, 1 held by processes of "
                        "unknown state, 1 busy, 0 reserved"));
}

// --- Groups -------------------------------------------------------------------

TEST_F(RegistryTest, AGroupGetsOnePortPerApp) {
  auto got = Allocate({"web", "api", "hmr"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 3u);
  std::set<uint16_t> ports;
  for (const Claim& c : *got) {
    ports.insert(c.entry.record.port);
    EXPECT_TRUE(c.lock.held());
  }
  EXPECT_EQ(ports.size(), 3u);
  EXPECT_EQ((*got)[1].entry.record.app, "api");
}

TEST_F(RegistryTest, AGroupIsAllOrNothing) {
  range_ = {9000, 9001};
  auto got = Allocate({"web", "api", "hmr"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(got.status().message(), HasSubstr("for hmr"));
  EXPECT_THAT(Listed(), IsEmpty()) << "nothing held, nothing on file";
  auto two = Allocate({"web", "api"}, fake_.StartProcess(), Hold::kLock);
  EXPECT_TRUE(two.ok()) << "and the ports are free again";
}

TEST_F(RegistryTest, AnAppNamedTwiceIsBadInput) {
  auto got = Allocate({"web", "web"}, fake_.StartProcess(), Hold::kLock);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Memory and scopes --------------------------------------------------------

TEST_F(RegistryTest, EachScopeGetsItsOwnPortBackInEitherOrder) {
  const std::string a = "/home/u/src/shop", b = "/home/u/src/shop-fix";
  const ProcessIdentity shell_a = fake_.StartProcess();
  const ProcessIdentity shell_b = fake_.StartProcess();
  auto pa = Reserve("web", shell_a, {}, a);
  auto pb = Reserve("web", shell_b, {}, b);
  ASSERT_TRUE(pa.ok() && pb.ok());
  const uint16_t port_a = pa->entry.record.port, port_b = pb->entry.record.port;
  EXPECT_NE(port_a, port_b);
  EXPECT_EQ(pb->entry.record.scope, b);
  // Everything ends; then the second tree starts first.
  fake_.Kill(shell_a.pid);
  fake_.Kill(shell_b.pid);
  auto again_b = Reserve("web", fake_.StartProcess(), {}, b);
  auto again_a = Reserve("web", fake_.StartProcess(), {}, a);
  ASSERT_TRUE(again_a.ok() && again_b.ok());
  EXPECT_EQ(again_b->entry.record.port, port_b);
  EXPECT_EQ(again_a->entry.record.port, port_a);
  EXPECT_THAT(again_b->reason, HasSubstr("the port web had last"));
}

#ifndef _WIN32
TEST_F(RegistryTest, TheMemoryIsWrittenOnlyWhenAnAppGetsANewPort) {
  const ProcessIdentity shell = fake_.StartProcess();
  ASSERT_TRUE(Reserve("web", shell).ok());
  struct stat before;
  ASSERT_EQ(stat((dir_ / "registry").c_str(), &before), 0);
  fake_.Kill(shell.pid);
  ASSERT_TRUE(Reserve("web", fake_.StartProcess()).ok());  // same port
  struct stat after;
  ASSERT_EQ(stat((dir_ / "registry").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "not rewritten";
  ASSERT_TRUE(Reserve("web", fake_.StartProcess()).ok());  // a second port
  ASSERT_EQ(stat((dir_ / "registry").c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino);
}

// Only stickiness waits for the shared lock, and never fails an allocation.
TEST_F(RegistryTest, AHeldMemoryLockNeverStopsAnAllocation) {
  ASSERT_TRUE(Reserve("web", fake_.StartProcess()).ok());
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t holder = fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    auto lock = platform::FileLock::Lock((dir_ / "registry.lock").string(),
                                         absl::Seconds(1),
                                         platform::FileLock::Kind::kThisProcess);
    (void)!write(ready[1], lock.ok() ? "L" : "E", 1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'L');
  EXPECT_TRUE(Reserve("web", fake_.StartProcess()).ok()) << "remembered";
  EXPECT_TRUE(Reserve("api", fake_.StartProcess()).ok()) << "new: not kept";
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  EXPECT_THAT(ReadAll(dir_ / "registry"), Not(HasSubstr("api")));
}
#endif

TEST_F(RegistryTest, TheMemoryStaysWithinItsBudget) {
  range_ = {1024, 65535};
  for (int i = 0; i < 300; ++i) {
    const std::string app = absl::StrCat(i, std::string(190, 'x'));
    auto got = Reserve(app, fake_.StartProcess(), {},
                       "/" + std::string(1000, 's'));
    ASSERT_TRUE(got.ok()) << got.status();
  }
  const std::string memory = ReadAll(dir_ / "registry");
  EXPECT_LE(static_cast<int64_t>(memory.size()), kMemoryBudgetBytes);
  EXPECT_TRUE(DecodeMemory(memory).ok());
  // Every reservation is still on file: only memories were forgotten.
  EXPECT_EQ(Listed().size(), 300u);
}

// --- Files that do not decode, and format 1 -----------------------------------

TEST_F(RegistryTest, ABrokenMemoryIsCopiedAsideOnceAndWorkGoesOn) {
  std::string big = "berth-registry 2\n";
  big.append(3 << 20, 'e');
  const std::pair<const char*, std::string> cases[] = {
      {"garbage", "this is not a registry\n"},
      {"truncated", "berth-registry 2\nremember - web 88"},
      {"binary", std::string("\x7f" "ELF\0\0\1", 7)},
      {"wrong version", "berth-registry 99\nend\n"},
      {"three megabytes", big},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
    WriteAll(dir_ / "registry", bytes);
    warnings_.str("");
    ASSERT_TRUE(Reserve("web", fake_.StartProcess()).ok());
    const std::string w = warnings_.str();
    EXPECT_THAT(w, HasSubstr("did not decode"));
    EXPECT_EQ(std::count(w.begin(), w.end(), '\n'), 1) << w;
    ASSERT_EQ(Backups().size(), 1u);
    EXPECT_TRUE(DecodeMemory(ReadAll(dir_ / "registry")).ok());
    warnings_.str("");
    ASSERT_TRUE(Reserve("api", fake_.StartProcess()).ok());
    EXPECT_EQ(warnings_.str(), "") << "told once";
  }
}

// Issue case 9: backups made within the same second never overwrite one
// another.
TEST_F(RegistryTest, BackupsNeverOverwriteOneAnother) {
  for (int i = 0; i < 3; ++i) {
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
    WriteAll(dir_ / "registry", absl::StrCat("garbage number ", i, "\n"));
    ASSERT_TRUE(Reserve(absl::StrCat("app", i), fake_.StartProcess()).ok());
  }
  const std::vector<std::string> backups = Backups();
  ASSERT_EQ(backups.size(), 3u) << "the clock stands still in this test";
  std::set<std::string> contents;
  for (const std::string& name : backups) {
    contents.insert(ReadAll(dir_ / name));
  }
  EXPECT_EQ(contents.size(), 3u);
}

TEST_F(RegistryTest, AnUndecodableRecordWithAFreeLockIsReplaced) {
  fs::create_directories(dir_ / "leases");
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
  fs::permissions(dir_ / "leases", fs::perms::owner_all,
                  fs::perm_options::replace);
  const uint16_t port = 8850;
  WriteAll(LeaseFile(port), "berth-lease 2\nport 88");
  auto got = Reserve("web", fake_.StartProcess(), port);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->entry.record.port, port);
  EXPECT_THAT(warnings_.str(), HasSubstr("did not decode"));
  EXPECT_TRUE(DecodeLease(ReadAll(LeaseFile(port))).ok());
}

// Registries of berth 0.1 keep working: read, then rewritten in format 2.
TEST_F(RegistryTest, AFormat1RegistryIsConverted) {
  const ProcessIdentity live = fake_.StartProcess("server");
  const ProcessIdentity gone = fake_.StartProcess("old");
  fake_.Kill(gone.pid);
  v1::RegistryData old;
  old.boot_id = FakeProcessInspector::kDefaultBootId;
  old.entries.push_back(
      {8850, "web", live.pid, live.start_token, 100, false, {}});
  old.entries.push_back({8851, "api", gone.pid, gone.start_token, 100, true, {}});
  old.last.push_back({8852, "docs"});
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
  WriteAll(dir_ / "registry", v1::Encode(old));

  auto got = Reserve("web", fake_.StartProcess(), 8850);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_NE(got->entry.record.port, 8850) << "the live 0.1 entry holds it";
  EXPECT_THAT(got->reason, HasSubstr(absl::StrCat("held by web (pid ", live.pid)));

  absl::StatusOr<Memory> memory = DecodeMemory(ReadAll(dir_ / "registry"));
  ASSERT_TRUE(memory.ok()) << memory.status();
  std::vector<std::string> apps;
  for (const Remembered& r : memory->apps) apps.push_back(r.app);
  EXPECT_THAT(apps, ::testing::IsSupersetOf({"web", "api", "docs"}));
  std::map<uint16_t, Entry> by_port;
  for (const Entry& e : Listed()) by_port[e.record.port] = e;
  ASSERT_EQ(by_port.count(8850), 1u);
  EXPECT_EQ(by_port[8850].state, EntryState::kLive);
  EXPECT_FALSE(by_port[8850].record.pid_namespace.has_value());
  ASSERT_EQ(by_port.count(8851), 1u);
  EXPECT_EQ(by_port[8851].state, EntryState::kStale);
  // "docs" had 8852 last, and gets it back.
  auto docs = Reserve("docs", fake_.StartProcess());
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->entry.record.port, 8852);
}

// --- Reading, releasing, pruning ----------------------------------------------

TEST_F(RegistryTest, ListOfAMissingRegistryCreatesNothing) {
  EXPECT_THAT(Listed(), IsEmpty());
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(RegistryTest, ReleaseDropsWhatNoLockHoldsAndReportsTheRest) {
  const ProcessIdentity me = fake_.StartProcess();
  auto reserved = Reserve("web", me);
  auto leased = Allocate({"web"}, me, Hold::kLock);
  ASSERT_TRUE(reserved.ok() && leased.ok());
  ReleaseFilter filter;
  filter.app = "web";
  filter.scope = "";
  auto released = Make().Release(filter);
  ASSERT_TRUE(released.ok()) << released.status();
  ASSERT_EQ(released->dropped.size(), 1u);
  EXPECT_EQ(released->dropped[0].record.port, reserved->entry.record.port);
  ASSERT_EQ(released->held.size(), 1u);
  EXPECT_EQ(released->held[0].record.port, leased->front().entry.record.port);
  EXPECT_EQ(Listed().size(), 1u);
  // Another scope's web is not this one.
  filter.scope = "/elsewhere";
  EXPECT_THAT(Make().Release(filter)->held, IsEmpty());
}

TEST_F(RegistryTest, PruneDropsStaleEntriesAndSaysHowMany) {
  const ProcessIdentity a = fake_.StartProcess(), b = fake_.StartProcess();
  ASSERT_TRUE(Reserve("a", a).ok());
  ASSERT_TRUE(Reserve("b", b).ok());
  ASSERT_TRUE(Reserve("c", fake_.StartProcess()).ok());
  fake_.Kill(a.pid);
  fake_.ReusePid(b.pid);
  EXPECT_EQ(*Make().Prune(), 2);
  EXPECT_EQ(*Make().Prune(), 0);
  EXPECT_EQ(Listed().size(), 1u);
}

TEST_F(RegistryTest, VacateLeaseClearsTheRecordAndLetsGo) {
  auto got = Allocate({"web"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_TRUE(got.ok());
  Claim& claim = got->front();
  const uint16_t port = claim.entry.record.port;
  ASSERT_TRUE(VacateLease(claim.lock).ok());
  EXPECT_FALSE(claim.lock.held());
  EXPECT_EQ(ReadAll(LeaseFile(port)), "");
  EXPECT_THAT(Listed(), IsEmpty());
}

TEST_F(RegistryTest, RecordHoldRewritesTheHold) {
  auto got = Allocate({"web"}, fake_.StartProcess(), Hold::kLock);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(RecordHold(got->front().lock, Hold::kLockOrPid).ok());
  auto r = DecodeLease(ReadAll(LeaseFile(got->front().entry.record.port)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hold, Hold::kLockOrPid);
}

}  // namespace
}  // namespace berth::registry
