// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The OS-independent part of platform/file.h: JoinPath, the parts of
// FileLock that only move the handle around, how long FileLock waits, and
// the policy of ReplaceFileAtomically and WriteNewFile over the OS steps of
// internal/file_ops.h, with the temp file's name made and read here only.

#include "platform/file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "platform/internal/file_ops.h"

namespace berth::platform {
namespace {

#ifdef _WIN32
constexpr char kSeparator = '\\';
bool IsSeparator(char c) { return c == '\\' || c == '/'; }
#else
constexpr char kSeparator = '/';
bool IsSeparator(char c) { return c == '/'; }
#endif

// FileLock's waits: berth holds its locks for tens of microseconds, so the
// first retries come soon, then back off to 2 ms, so that a long wait costs
// next to nothing.
constexpr absl::Duration kFirstLockPause = absl::Microseconds(50);
constexpr absl::Duration kLongestLockPause = absl::Milliseconds(2);

// How many temp names ReplaceFile tries before giving up: another name is
// picked only when one is taken, which a random part makes unlikely.
constexpr int kTempNameAttempts = 9;

// How often a rename the OS calls transient is tried, and the first pause
// between tries (doubled each time): 10 + 20 + 40 + 80 + 160 ms, about a
// third of a second, enough for an indexer or antivirus to let go.
constexpr int kRenameAttempts = 6;
constexpr absl::Duration kFirstRenamePause = absl::Milliseconds(10);

// TempPrefix is what every temp file name for `target` starts with.
std::string TempPrefix(absl::string_view target) {
  return absl::StrCat(".", target, ".tmp-");
}

// TempRandom returns 64 bits unlikely to repeat, within this process or
// across processes: the clock mixed with a counter (SplitMix64's finalizer).
uint64_t TempRandom() {
  static std::atomic<uint64_t> counter{0};
  const uint64_t now = static_cast<uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  uint64_t mix = now ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
  mix ^= mix >> 31;
  mix *= 0xBF58476D1CE4E5B9ull;
  mix ^= mix >> 29;
  return mix;
}

}  // namespace

std::string JoinPath(absl::string_view a, absl::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  const bool a_ends = IsSeparator(a.back());
  const bool b_starts = IsSeparator(b.front());
  if (a_ends && b_starts) return absl::StrCat(a, b.substr(1));
  if (a_ends || b_starts) return absl::StrCat(a, b);
  return absl::StrCat(a, absl::string_view(&kSeparator, 1), b);
}

FileLock::FileLock(std::string path, intptr_t handle, Kind kind,
                   int64_t owner_pid)
    : path_(std::move(path)),
      handle_(handle),
      kind_(kind),
      owner_pid_(owner_pid) {}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)),
      handle_(std::exchange(other.handle_, -1)),
      kind_(other.kind_),
      owner_pid_(other.owner_pid_),
      mapping_(std::exchange(other.mapping_, nullptr)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Unlock();
    path_ = std::move(other.path_);
    handle_ = std::exchange(other.handle_, -1);
    kind_ = other.kind_;
    owner_pid_ = other.owner_pid_;
    mapping_ = std::exchange(other.mapping_, nullptr);
  }
  return *this;
}

FileLock::~FileLock() { Unlock(); }

bool FileLock::held() const { return handle_ != -1; }

// --- Whole files ------------------------------------------------------------

absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents,
                                   Durability durability) {
  return internal::ReplaceFile(internal::SystemFileOps(), path, contents,
                               durability);
}

absl::Status WriteNewFile(const std::string& path, absl::string_view contents) {
  return internal::WriteNew(internal::SystemFileOps(), path, contents);
}

int64_t TempFileWriter(absl::string_view name, absl::string_view target) {
  if (!absl::ConsumePrefix(&name, TempPrefix(target))) return 0;
  const size_t dash = name.find('-');
  int64_t pid = 0;
  if (dash == absl::string_view::npos ||
      !absl::SimpleAtoi(name.substr(0, dash), &pid) || pid <= 0) {
    return 0;
  }
  return pid;
}

namespace internal {

absl::Status WaitForLock(absl::Duration timeout, const std::string& path,
                         absl::FunctionRef<absl::StatusOr<bool>()> try_once) {
  const auto start = std::chrono::steady_clock::now();
  absl::Duration pause = kFirstLockPause;
  for (;;) {
    absl::StatusOr<bool> locked = try_once();
    if (!locked.ok()) return locked.status();
    if (*locked) return absl::OkStatus();
    const absl::Duration waited =
        absl::FromChrono(std::chrono::steady_clock::now() - start);
    if (waited >= timeout) {
      return absl::DeadlineExceededError(absl::StrCat(
          "timed out after ", absl::FormatDuration(timeout),
          " waiting for the lock on ", path, " (held by another process)"));
    }
    absl::SleepFor(std::min(pause, timeout - waited));
    pause = std::min(pause * 2, kLongestLockPause);
  }
}

void FileOps::Pause(absl::Duration duration) const { absl::SleepFor(duration); }

std::string TempFileName(absl::string_view target, int64_t pid) {
  return absl::StrCat(TempPrefix(target), pid, "-",
                      absl::Hex(TempRandom(), absl::kZeroPad16));
}

absl::Status ReplaceFile(const FileOps& ops, const std::string& path,
                         absl::string_view contents, Durability durability) {
  size_t separator = path.size();
  while (separator > 0 && !IsSeparator(path[separator - 1])) --separator;
  const std::string base = path.substr(separator);
  if (base.empty() || base == "." || base == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("ReplaceFileAtomically: ", path, " names no file"));
  }
  const absl::string_view directory =
      absl::string_view(path).substr(0, separator);

  // The temp file sits beside the target, so the rename stays within one
  // file system, and its name says whose it was (TempFileWriter).
  std::string temp;
  absl::StatusOr<intptr_t> file;
  for (int attempt = 1;; ++attempt) {
    temp = absl::StrCat(directory, TempFileName(base, ops.ProcessId()));
    file = ops.CreateNew(temp);
    if (file.ok() || !absl::IsAlreadyExists(file.status()) ||
        attempt == kTempNameAttempts) {
      break;
    }
  }
  if (!file.ok()) return file.status();

  // From here on every failure removes the temp file; the target is not
  // touched until the rename, which happens whole or not at all.
  absl::Status status = ops.Write(*file, contents, temp);
  if (status.ok() && durability == Durability::kDurable) {
    status = ops.Sync(*file, temp);
  }
  absl::Status closed = ops.Close(*file, temp);
  if (status.ok()) status = std::move(closed);
  absl::Duration pause = kFirstRenamePause;
  for (int attempt = 1; status.ok(); ++attempt) {
    bool transient = false;
    absl::Status renamed = ops.Rename(temp, path, durability, &transient);
    if (renamed.ok()) break;
    if (!transient || attempt == kRenameAttempts) {
      status = std::move(renamed);
      break;
    }
    ops.Pause(pause);
    pause *= 2;
  }
  if (!status.ok()) {
    ops.Remove(temp);
    return status;
  }

  if (durability == Durability::kFast) return absl::OkStatus();
  // The new contents are in place already; an error here says only that a
  // crash might still bring the old back.
  return ops.SyncDirectoryOf(path);
}

absl::Status WriteNew(const FileOps& ops, const std::string& path,
                      absl::string_view contents) {
  absl::StatusOr<intptr_t> file = ops.CreateNew(path);
  if (!file.ok()) return file.status();  // an existing file stays as it was
  absl::Status status = ops.Write(*file, contents, path);
  absl::Status closed = ops.Close(*file, path);
  if (status.ok()) status = std::move(closed);
  if (!status.ok()) ops.Remove(path);
  return status;
}

}  // namespace internal
}  // namespace berth::platform
