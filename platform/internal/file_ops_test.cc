// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The policy of ReplaceFileAtomically and WriteNewFile (file.cc) over fake
// OS steps, so that every failure, and the retries only Windows needs, are
// held to on every OS: the temp file beside the target, named for this
// process; a sync only when durable; the temp file removed on any failure
// and the target untouched; transient rename failures retried six times in
// about a third of a second, others not at all.

#include "platform/internal/file_ops.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/file.h"

namespace berth::platform::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr int64_t kPid = 4242;

// FakeFileOps keeps files in a map and logs each step. Each `fail_*` makes
// that step fail (once per call while its count lasts, or always at -1).
class FakeFileOps final : public FileOps {
 public:
  std::map<std::string, std::string> files;
  mutable std::vector<std::string> log;
  mutable std::vector<absl::Duration> pauses;
  mutable int taken_names = 0;  // CreateNew says AlreadyExists this often
  mutable int fail_write = 0;
  mutable int fail_sync = 0;
  mutable int fail_close = 0;
  mutable int transient_renames = 0;  // Rename fails, transient, this often
  mutable int fail_rename = 0;        // Rename fails for good
  mutable int fail_sync_directory = 0;

  absl::StatusOr<intptr_t> CreateNew(const std::string& path) const override {
    log.push_back(absl::StrCat("create ", path));
    if (Take(taken_names) || files.count(path) > 0) {
      return absl::AlreadyExistsError(absl::StrCat("create ", path));
    }
    const intptr_t handle = next_handle_++;
    open_[handle] = path;
    Files()[path] = "";
    return handle;
  }

  absl::Status Write(intptr_t file, absl::string_view data,
                     const std::string& path) const override {
    log.push_back(absl::StrCat("write ", path));
    EXPECT_EQ(open_.at(file), path);
    if (Take(fail_write)) return absl::ResourceExhaustedError("disk full");
    Files()[open_.at(file)].append(data.data(), data.size());
    return absl::OkStatus();
  }

  absl::Status Sync(intptr_t file, const std::string& path) const override {
    log.push_back(absl::StrCat("sync ", path));
    EXPECT_EQ(open_.at(file), path);
    if (Take(fail_sync)) return absl::DataLossError("fsync");
    return absl::OkStatus();
  }

  absl::Status Close(intptr_t file, const std::string& path) const override {
    log.push_back(absl::StrCat("close ", path));
    EXPECT_EQ(open_.erase(file), 1u) << "closed twice or never opened";
    if (Take(fail_close)) return absl::DataLossError("close");
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to,
                      Durability durability, bool* transient) const override {
    log.push_back(absl::StrCat("rename ", from, " to ", to,
                               durability == Durability::kFast ? " fast" : ""));
    EXPECT_THAT(open_, IsEmpty()) << "renamed before closing";
    *transient = false;
    if (Take(transient_renames)) {
      *transient = true;
      return absl::PermissionDeniedError("held by an indexer");
    }
    if (Take(fail_rename)) return absl::PermissionDeniedError("read-only");
    Files()[to] = Files().at(from);
    Files().erase(from);
    return absl::OkStatus();
  }

  void Remove(const std::string& path) const override {
    log.push_back(absl::StrCat("remove ", path));
    Files().erase(path);
  }

  absl::Status SyncDirectoryOf(const std::string& path) const override {
    log.push_back(absl::StrCat("sync directory of ", path));
    if (Take(fail_sync_directory)) return absl::DataLossError("fsync dir");
    return absl::OkStatus();
  }

  void Pause(absl::Duration duration) const override {
    pauses.push_back(duration);
  }

  int64_t ProcessId() const override { return kPid; }

  // Temps lists the files whose name says ReplaceFile made them.
  std::vector<std::string> Temps() const {
    std::vector<std::string> temps;
    for (const auto& [path, contents] : files) {
      if (absl::StrContains(path, ".tmp-")) temps.push_back(path);
    }
    return temps;
  }

 private:
  static bool Take(int& count) {
    if (count == 0) return false;
    if (count > 0) --count;
    return true;
  }
  std::map<std::string, std::string>& Files() const {
    return const_cast<FakeFileOps*>(this)->files;
  }
  mutable intptr_t next_handle_ = 3;
  mutable std::map<intptr_t, std::string> open_;
};

// TempOf returns the temp name a log line "create TEMP" names.
std::string Created(const std::string& line) {
  return line.substr(std::string("create ").size());
}

TEST(ReplaceFileTest, DurableWritesSyncsRenamesAndSyncsTheDirectory) {
  FakeFileOps ops;
  ops.files["dir/registry"] = "old";
  ASSERT_TRUE(
      ReplaceFile(ops, "dir/registry", "new", Durability::kDurable).ok());
  EXPECT_EQ(ops.files["dir/registry"], "new");
  EXPECT_THAT(ops.Temps(), IsEmpty());
  ASSERT_EQ(ops.log.size(), 6u) << absl::StrJoin(ops.log, "\n");
  const std::string temp = Created(ops.log[0]);
  EXPECT_THAT(temp, StartsWith(absl::StrCat("dir/.registry.tmp-", kPid, "-")));
  EXPECT_THAT(
      ops.log,
      ElementsAre(absl::StrCat("create ", temp), absl::StrCat("write ", temp),
                  absl::StrCat("sync ", temp), absl::StrCat("close ", temp),
                  absl::StrCat("rename ", temp, " to dir/registry"),
                  "sync directory of dir/registry"));
  EXPECT_THAT(ops.pauses, IsEmpty());
}

TEST(ReplaceFileTest, FastSyncsNothing) {
  FakeFileOps ops;
  ASSERT_TRUE(ReplaceFile(ops, "leases", "x", Durability::kFast).ok());
  EXPECT_EQ(ops.files["leases"], "x");
  const std::string temp = Created(ops.log[0]);
  EXPECT_THAT(temp, StartsWith(absl::StrCat(".leases.tmp-", kPid, "-")));
  EXPECT_THAT(
      ops.log,
      ElementsAre(absl::StrCat("create ", temp), absl::StrCat("write ", temp),
                  absl::StrCat("close ", temp),
                  absl::StrCat("rename ", temp, " to leases fast")));
}

TEST(ReplaceFileTest, TheTempFileNameIsTheOneTempFileWriterReads) {
  FakeFileOps ops;
  ASSERT_TRUE(ReplaceFile(ops, "/x/registry", "", Durability::kFast).ok());
  const std::string temp = Created(ops.log[0]);
  ASSERT_THAT(temp, StartsWith("/x/"));
  EXPECT_EQ(TempFileWriter(temp.substr(3), "registry"), kPid);
  EXPECT_EQ(TempFileWriter(temp.substr(3), "registr"), 0);
  EXPECT_EQ(TempFileWriter(TempFileName("registry", 77), "registry"), 77);
  EXPECT_NE(TempFileName("registry", 77), TempFileName("registry", 77))
      << "two temp names in a row must differ";
}

TEST(ReplaceFileTest, ATakenTempNameIsReplacedByAnother) {
  FakeFileOps ops;
  ops.taken_names = 2;
  ASSERT_TRUE(ReplaceFile(ops, "registry", "new", Durability::kFast).ok());
  ASSERT_GE(ops.log.size(), 3u);
  EXPECT_NE(ops.log[0], ops.log[1]);
  EXPECT_NE(ops.log[1], ops.log[2]);
  EXPECT_EQ(ops.files["registry"], "new");
}

TEST(ReplaceFileTest, GivesUpAfterNineTakenNames) {
  FakeFileOps ops;
  ops.taken_names = -1;
  absl::Status status = ReplaceFile(ops, "registry", "new", Durability::kFast);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ops.log.size(), 9u);
  EXPECT_EQ(ops.files.count("registry"), 0u);
}

TEST(ReplaceFileTest, EveryFailedStepRemovesTheTempAndLeavesTheTarget) {
  for (const char* step : {"write", "sync", "close", "rename"}) {
    SCOPED_TRACE(step);
    FakeFileOps ops;
    ops.files["registry"] = "old";
    const std::string s = step;
    (s == "write"   ? ops.fail_write
     : s == "sync"  ? ops.fail_sync
     : s == "close" ? ops.fail_close
                    : ops.fail_rename) = 1;
    absl::Status status =
        ReplaceFile(ops, "registry", "new", Durability::kDurable);
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(ops.files["registry"], "old");
    EXPECT_THAT(ops.Temps(), IsEmpty()) << absl::StrJoin(ops.log, "\n");
    EXPECT_EQ(ops.log.back(), absl::StrCat("remove ", Created(ops.log[0])));
    EXPECT_THAT(ops.pauses, IsEmpty()) << "only transient renames wait";
  }
}

TEST(ReplaceFileTest, AFailedWriteStillClosesTheFile) {
  FakeFileOps ops;
  ops.fail_write = 1;
  absl::Status status = ReplaceFile(ops, "registry", "x", Durability::kDurable);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted)
      << "the first error is the one reported";
  const std::string temp = Created(ops.log[0]);
  EXPECT_THAT(
      ops.log,
      ElementsAre(absl::StrCat("create ", temp), absl::StrCat("write ", temp),
                  absl::StrCat("close ", temp), absl::StrCat("remove ", temp)));
}

TEST(ReplaceFileTest, TransientRenameFailuresAreRetriedWithGrowingPauses) {
  FakeFileOps ops;
  ops.files["registry"] = "old";
  ops.transient_renames = 3;
  ASSERT_TRUE(ReplaceFile(ops, "registry", "new", Durability::kDurable).ok());
  EXPECT_EQ(ops.files["registry"], "new");
  EXPECT_THAT(ops.pauses,
              ElementsAre(absl::Milliseconds(10), absl::Milliseconds(20),
                          absl::Milliseconds(40)));
}

TEST(ReplaceFileTest, TransientRenameFailuresGiveUpAfterSixTries) {
  FakeFileOps ops;
  ops.files["registry"] = "old";
  ops.transient_renames = -1;
  absl::Status status =
      ReplaceFile(ops, "registry", "new", Durability::kDurable);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  int renames = 0;
  for (const std::string& line : ops.log) {
    if (absl::StartsWith(line, "rename ")) ++renames;
  }
  EXPECT_EQ(renames, 6);
  absl::Duration waited;
  for (absl::Duration pause : ops.pauses) waited += pause;
  EXPECT_EQ(waited, absl::Milliseconds(310));
  EXPECT_EQ(ops.files["registry"], "old");
  EXPECT_THAT(ops.Temps(), IsEmpty());
}

TEST(ReplaceFileTest, AFailedDirectorySyncIsReportedWithTheNewContentsInPlace) {
  FakeFileOps ops;
  ops.fail_sync_directory = 1;
  absl::Status status =
      ReplaceFile(ops, "registry", "new", Durability::kDurable);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ops.files["registry"], "new");
  EXPECT_THAT(ops.Temps(), IsEmpty());
}

TEST(ReplaceFileTest, APathThatNamesNoFileIsRefusedBeforeAnyStep) {
  for (const char* path : {"", "dir/", ".", "..", "dir/.", "a/.."}) {
    FakeFileOps ops;
    EXPECT_EQ(ReplaceFile(ops, path, "x", Durability::kFast).code(),
              absl::StatusCode::kInvalidArgument)
        << path;
    EXPECT_THAT(ops.log, IsEmpty()) << path;
  }
}

#ifdef _WIN32
TEST(ReplaceFileTest, BackslashesSeparateOnWindows) {
  FakeFileOps ops;
  ASSERT_TRUE(ReplaceFile(ops, "C:\\x\\registry", "", Durability::kFast).ok());
  EXPECT_THAT(Created(ops.log[0]), StartsWith("C:\\x\\.registry.tmp-"));
}
#endif

TEST(WriteNewTest, WritesAndClosesWithoutSyncing) {
  FakeFileOps ops;
  ASSERT_TRUE(WriteNew(ops, "dir/new", "contents").ok());
  EXPECT_EQ(ops.files["dir/new"], "contents");
  EXPECT_THAT(ops.log,
              ElementsAre("create dir/new", "write dir/new", "close dir/new"));
}

TEST(WriteNewTest, AnExistingFileIsLeftAsItWas) {
  FakeFileOps ops;
  ops.files["dir/new"] = "someone else's";
  EXPECT_EQ(WriteNew(ops, "dir/new", "x").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ops.files["dir/new"], "someone else's");
  EXPECT_THAT(ops.log, ElementsAre("create dir/new"));
}

TEST(WriteNewTest, AFailedWriteOrCloseRemovesTheFile) {
  for (bool close : {false, true}) {
    FakeFileOps ops;
    (close ? ops.fail_close : ops.fail_write) = 1;
    EXPECT_FALSE(WriteNew(ops, "dir/new", "x").ok());
    EXPECT_EQ(ops.files.count("dir/new"), 0u) << close;
    EXPECT_EQ(ops.log.back(), "remove dir/new");
  }
}

TEST(WaitForLockTest, TriesUntilLocked) {
  int tries = 0;
  absl::Status status =
      WaitForLock(absl::Seconds(10), "x.lock",
                  [&]() -> absl::StatusOr<bool> { return ++tries == 3; });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(tries, 3);
}

TEST(WaitForLockTest, AnErrorEndsTheWaitAtOnce) {
  int tries = 0;
  absl::Status status = WaitForLock(
      absl::InfiniteDuration(), "x.lock", [&]() -> absl::StatusOr<bool> {
        ++tries;
        return absl::PermissionDeniedError("open x.lock");
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tries, 1);
}

TEST(WaitForLockTest, ZeroTimeoutTriesOnceAndNamesTheLock) {
  int tries = 0;
  absl::Status status = WaitForLock(absl::ZeroDuration(), "/x/registry.lock",
                                    [&]() -> absl::StatusOr<bool> {
                                      ++tries;
                                      return false;
                                    });
  EXPECT_EQ(tries, 1);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(status.message(),
            "timed out after 0 waiting for the lock on /x/registry.lock (held "
            "by another process)");
}

TEST(WaitForLockTest, KeepsTryingForTheWholeTimeout) {
  int tries = 0;
  const absl::Time start = absl::Now();
  absl::Status status = WaitForLock(absl::Milliseconds(30), "x.lock",
                                    [&]() -> absl::StatusOr<bool> {
                                      ++tries;
                                      return false;
                                    });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(30));
  EXPECT_GE(tries, 2);
}

}  // namespace
}  // namespace berth::platform::internal
