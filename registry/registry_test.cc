// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The registry transaction against real files (in the test's temp dir), a
// fake process table and a fake port probe.

#include "registry/registry.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/fake_process.h"
#include "platform/file.h"
#include "registry/codec.h"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace berth::registry {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using platform::FakeProcessInspector;
using platform::ProcessIdentity;

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
      p.ipv6 = platform::FamilyState::kFree;
      return p;
    };
    o.now = [] { return absl::FromUnixSeconds(1764180000); };
    o.warnings = &warnings_;
    return o;
  }

  Registry Make() { return Registry(MakeOptions()); }

  absl::StatusOr<Allocation> Get(const std::string& app,
                                 const ProcessIdentity& owner,
                                 std::optional<uint16_t> wanted = {},
                                 bool lease = false) {
    AllocateRequest r;
    r.app = app;
    r.owner = owner;
    r.wanted = wanted;
    r.lease = lease;
    return Make().Allocate(r);
  }

  std::vector<std::string> CorruptFiles() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (absl::StartsWith(name, "registry.corrupt-")) out.push_back(name);
    }
    return out;
  }

  fs::path dir_;
  FakeProcessInspector fake_;
  std::set<uint16_t> busy_;
  int probes_ = 0;
  std::ostringstream warnings_;
};

TEST_F(RegistryTest, AllocatesRecordsAndLists) {
  const ProcessIdentity a = fake_.StartProcess("shell");
  auto got = Get("web", a);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_GE(got->entry.port, 8800);
  EXPECT_LE(got->entry.port, 8999);
  EXPECT_FALSE(got->existing);
  EXPECT_EQ(got->entry.since, 1764180000);

  auto list = Make().List();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].app, "web");
  EXPECT_EQ((*list)[0].port, got->entry.port);
  EXPECT_EQ((*list)[0].owner, a);
  EXPECT_EQ((*list)[0].state, EntryState::kLive);

  // The file is the documented format, with the boot identity.
  const std::string bytes = ReadAll(dir_ / "registry");
  EXPECT_THAT(bytes, HasSubstr("berth-registry 1\nboot fake-boot-id\n"));
  EXPECT_THAT(bytes, HasSubstr(absl::StrCat("entry ", got->entry.port,
                                            " web pid=", a.pid)));
  EXPECT_TRUE(fs::exists(dir_ / "registry.lock"));
#ifndef _WIN32  // Windows: the directory inherits its parent's ACL
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all,
            fs::perms::owner_all);
#endif
}

TEST_F(RegistryTest, SameOwnerSameAppGetsTheSamePort) {
  const ProcessIdentity a = fake_.StartProcess();
  auto first = Get("web", a);
  auto again = Get("web", a);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->entry.port, again->entry.port);
  EXPECT_TRUE(again->existing);
  EXPECT_EQ(Make().List()->size(), 1u);
}

TEST_F(RegistryTest, TwoLiveOwnersNeverShareAPort) {
  std::set<uint16_t> ports;
  for (int i = 0; i < 50; ++i) {
    auto got = Get("web", fake_.StartProcess());
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(ports.insert(got->entry.port).second) << got->entry.port;
  }
}

TEST_F(RegistryTest, DeadOwnersPortComesBackAtTheNextAllocation) {
  const ProcessIdentity a = fake_.StartProcess();
  const uint16_t port = Get("web", a)->entry.port;
  fake_.Kill(a.pid);
  EXPECT_EQ(Make().List()->at(0).state, EntryState::kStale);
  auto b = Get("web", fake_.StartProcess());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->entry.port, port);
  EXPECT_EQ(Make().List()->size(), 1u) << "the stale entry was dropped";
}

TEST_F(RegistryTest, ZombieOwnerIsStale) {
  const ProcessIdentity a = fake_.StartProcess();
  ASSERT_TRUE(Get("web", a).ok());
  fake_.Zombify(a.pid);
  EXPECT_EQ(Make().List()->at(0).state, EntryState::kStale);
}

TEST_F(RegistryTest, ReusedPidDoesNotKeepTheDeadOwnersPort) {
  const ProcessIdentity a = fake_.StartProcess();
  const uint16_t port = Get("web", a)->entry.port;
  const ProcessIdentity b = fake_.ReusePid(a.pid);
  auto list = Make().List();
  EXPECT_EQ(list->at(0).state, EntryState::kStale);
  EXPECT_THAT(list->at(0).why, HasSubstr("another process"));
  // The new process with the old PID asks for the app: no "existing" match.
  // It gets the port back as a new holder, not as the old one's re-ask.
  auto got = Get("web", b);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->existing);
  EXPECT_EQ(got->entry.port, port);
  EXPECT_EQ(got->entry.owner, b);
}

TEST_F(RegistryTest, AnotherBootMakesEveryEntryStale) {
  ASSERT_TRUE(Get("web", fake_.StartProcess()).ok());
  fake_.SetBootId("rebooted");
  auto list = Make().List();
  EXPECT_EQ(list->at(0).state, EntryState::kStale);
  EXPECT_THAT(list->at(0).why, HasSubstr("booted"));
  // A release of something else rewrites the file: the old entry must not
  // survive under the new boot identity.
  ASSERT_TRUE(Make().ReleaseApp("other", std::nullopt).ok());
  EXPECT_TRUE(Make().List()->empty());
}

TEST_F(RegistryTest, UnknownOwnerKeepsItsPortAndIsNeverDropped) {
  const ProcessIdentity a = fake_.StartProcess();
  const uint16_t port = Get("web", a)->entry.port;
  fake_.MakeUnknown(a.pid);
  auto b = Get("web", fake_.StartProcess());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->entry.port, port);
  EXPECT_EQ(*Make().Prune(), 0);
  EXPECT_EQ(Make().List()->size(), 2u);
}

TEST_F(RegistryTest, PermissionDeniedOwnerIsLive) {
  const ProcessIdentity a = fake_.StartProcess();
  ASSERT_TRUE(Get("web", a).ok());
  fake_.DenyPermission(a.pid);
  EXPECT_EQ(Make().List()->at(0).state, EntryState::kLive);
}

TEST_F(RegistryTest, BusyPortsAreSkippedWithTheReason) {
  const ProcessIdentity a = fake_.StartProcess();
  busy_.insert(8805);
  auto got = Get("web", a, 8805);
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->entry.port, 8805);
  EXPECT_THAT(got->reason, HasSubstr("wanted port 8805 is busy"));
}

TEST_F(RegistryTest, LeaseHeldIsLiveAndFreeLeaseIsStaleWhateverThePid) {
  const ProcessIdentity a = fake_.StartProcess();
  auto got = Get("web", a, std::nullopt, /*lease=*/true);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->lease_lock.held());
  EXPECT_EQ(Make().List()->at(0).state, EntryState::kLive);
  // Someone else cannot take the lease while it is held.
  EXPECT_FALSE(
      platform::FileLock::TryLock(got->lease_lock.path()).ok());
  got->lease_lock.Unlock();  // as the kernel does when the holder dies
  auto list = Make().List();
  EXPECT_EQ(list->at(0).state, EntryState::kStale) << "pid is still alive";
  EXPECT_THAT(list->at(0).why, HasSubstr("lease"));
}

TEST_F(RegistryTest, LeaseRequestsOfOneOwnerGetTwoPorts) {
  const ProcessIdentity a = fake_.StartProcess();
  auto first = Get("web", a, std::nullopt, true);
  auto second = Get("web", a, std::nullopt, true);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->entry.port, second->entry.port);
}

TEST_F(RegistryTest, ReleaseRemembersTheLastPort) {
  const ProcessIdentity a = fake_.StartProcess();
  auto got = Get("web", a, 8850);
  ASSERT_EQ(got->entry.port, 8850);
  EXPECT_EQ(*Make().ReleaseApp("web", std::nullopt), 1);
  EXPECT_EQ(*Make().ReleaseApp("web", std::nullopt), 0);
  auto again = Get("web", fake_.StartProcess());
  EXPECT_EQ(again->entry.port, 8850);
  EXPECT_THAT(again->reason, HasSubstr("had last"));
  EXPECT_EQ(*Make().ReleasePort(8850, std::nullopt), 1);
}

TEST_F(RegistryTest, ReleaseOnlyTheGivenOwner) {
  const ProcessIdentity a = fake_.StartProcess();
  const ProcessIdentity b = fake_.StartProcess();
  ASSERT_TRUE(Get("web", a).ok());
  ASSERT_TRUE(Get("web", b).ok());
  EXPECT_EQ(*Make().ReleaseApp("web", a), 1);
  ASSERT_EQ(Make().List()->size(), 1u);
  EXPECT_EQ(Make().List()->at(0).owner, b);
}

TEST_F(RegistryTest, PruneDropsStaleEntriesAndSaysHowMany) {
  const ProcessIdentity a = fake_.StartProcess();
  const ProcessIdentity b = fake_.StartProcess();
  const ProcessIdentity c = fake_.StartProcess();
  for (const auto& [app, who] : {std::pair{"a", a}, {"b", b}, {"c", c}}) {
    ASSERT_TRUE(Get(app, who).ok());
  }
  fake_.Kill(a.pid);
  fake_.ReusePid(b.pid);
  EXPECT_EQ(*Make().Prune(), 2);
  EXPECT_EQ(*Make().Prune(), 0);
  ASSERT_EQ(Make().List()->size(), 1u);
  EXPECT_EQ(Make().List()->at(0).app, "c");
}

TEST_F(RegistryTest, UnknownFieldsAndLinesSurviveAnAllocation) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
  const ProcessIdentity a = fake_.StartProcess();
  WriteAll(dir_ / "registry",
           absl::StrCat("berth-registry 1\nboot fake-boot-id\n",
                        "entry 8801 old pid=", a.pid, " start=", a.start_token,
                        " since=1 lease=0 color=blue\nfuture line\nend\n"));
  ASSERT_TRUE(Get("web", fake_.StartProcess()).ok());
  const std::string bytes = ReadAll(dir_ / "registry");
  EXPECT_THAT(bytes, HasSubstr("lease=0 color=blue\n"));
  EXPECT_THAT(bytes, HasSubstr("\nfuture line\n"));
}

TEST_F(RegistryTest, CorruptFilesAreMovedAsideOnceAndWorkGoesOn) {
  std::string big = "berth-registry 1\n";
  big.append(10 << 20, 'e');
  const std::pair<const char*, std::string> cases[] = {
      {"garbage", "this is not a registry\n"},
      {"truncated", "berth-registry 1\nentry 8800 web pid=1 sta"},
      {"binary", std::string("\x7f" "ELF\0\0\1", 7)},
      {"wrong version", "berth-registry 99\nend\n"},
      {"ten megabytes", big},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
    WriteAll(dir_ / "registry", bytes);
    warnings_.str("");

    // list reports it and leaves it be.
    ASSERT_TRUE(Make().List().ok());
    EXPECT_EQ(ReadAll(dir_ / "registry"), bytes);
    EXPECT_TRUE(CorruptFiles().empty());

    warnings_.str("");
    auto got = Get("web", fake_.StartProcess());
    ASSERT_TRUE(got.ok()) << got.status();
    const std::string w = warnings_.str();
    EXPECT_THAT(w, HasSubstr("did not decode"));
    EXPECT_EQ(std::count(w.begin(), w.end(), '\n'), 1) << w;
    ASSERT_EQ(CorruptFiles().size(), 1u);
    EXPECT_EQ(ReadAll(dir_ / CorruptFiles()[0]), bytes) << "kept for a look";
    EXPECT_TRUE(Decode(ReadAll(dir_ / "registry")).ok());

    warnings_.str("");
    ASSERT_TRUE(Get("api", fake_.StartProcess()).ok());
    EXPECT_EQ(warnings_.str(), "") << "told once";
  }
}

TEST_F(RegistryTest, LockHeldPastTheTimeoutNamesTheLockFile) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
  auto held = platform::FileLock::Lock((dir_ / "registry.lock").string(),
                                       absl::Seconds(1));
  ASSERT_TRUE(held.ok()) << held.status();
  auto got = Get("web", fake_.StartProcess());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(got.status().message(), HasSubstr("registry.lock"));
}

TEST_F(RegistryTest, ListOfAMissingRegistryCreatesNothing) {
  auto list = Make().List();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_TRUE(list->empty());
  EXPECT_FALSE(fs::exists(dir_));
}

#ifndef _WIN32
// A write that fails (here: the file size limit) leaves the previous registry
// byte-for-byte and reports the error. Runs in a child so the limit does not
// touch the test process.
TEST_F(RegistryTest, FailedWriteLeavesThePreviousRegistryIntact) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Get(absl::StrCat("app", i), fake_.StartProcess()).ok());
  }
  const std::string before = ReadAll(dir_ / "registry");
  ASSERT_GT(before.size(), 200u);
  const ProcessIdentity owner = fake_.StartProcess();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {64, 64};
    setrlimit(RLIMIT_FSIZE, &limit);
    auto got = Get("new", owner);
    _exit(got.ok() ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << "the write must fail";
  EXPECT_EQ(ReadAll(dir_ / "registry"), before);
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_FALSE(absl::StrContains(e.path().filename().string(), "tmp"))
        << e.path();
  }
}
#endif

// SetEnv sets (or, with nullptr, removes) an environment variable.
void SetEnv(const char* name, const char* value) {
#ifdef _WIN32
  // The CRT's copy (getenv) and the process's (GetEnvironmentVariableW).
  _putenv_s(name, value != nullptr ? value : "");
  SetEnvironmentVariableA(name, value);
#else
  if (value != nullptr) {
    setenv(name, value, 1);
  } else {
    unsetenv(name);
  }
#endif
}

TEST(ResolveDirectoryTest, FlagThenEnvThenDefault) {
  EXPECT_EQ(*ResolveDirectory("/x/y"), "/x/y");
  EXPECT_FALSE(ResolveDirectory("relative/dir").ok());
  EXPECT_FALSE(ResolveDirectory("").ok());
  SetEnv("BERTH_HOME", "/from/env");
  EXPECT_EQ(*ResolveDirectory(std::nullopt), "/from/env");
  SetEnv("BERTH_HOME", "rel");
  EXPECT_THAT(ResolveDirectory(std::nullopt).status().message(),
              HasSubstr("BERTH_HOME must be an absolute path"));
  SetEnv("BERTH_HOME", nullptr);
#ifdef _WIN32
  SetEnv("LOCALAPPDATA", "C:\\Users\\u\\AppData\\Local");
  EXPECT_EQ(*ResolveDirectory(std::nullopt),
            "C:\\Users\\u\\AppData\\Local\\berth");
#else
  SetEnv("XDG_RUNTIME_DIR", "/run/user/7");
  EXPECT_EQ(*ResolveDirectory(std::nullopt), "/run/user/7/berth");
#endif
}

}  // namespace
}  // namespace berth::registry
