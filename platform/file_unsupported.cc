// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/file.h for an OS berth does not support yet: every call fails
// with Unimplemented instead of guessing.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/file.h"
#include "platform/internal/file_ops.h"

namespace berth::platform {
namespace {

absl::Status Unsupported(absl::string_view what) {
  return absl::UnimplementedError(
      absl::StrCat(what, " is not implemented on this OS"));
}

}  // namespace

absl::StatusOr<FileLock> FileLock::Lock(const std::string&, absl::Duration,
                                        Kind) {
  return Unsupported("FileLock::Lock");
}

absl::StatusOr<FileLock> FileLock::TryLock(const std::string&, bool) {
  return Unsupported("FileLock::TryLock");
}

bool FileLock::TakenHere() const { return false; }

absl::StatusOr<bool> FileLock::HoldPastClose() {
  return Unsupported("FileLock::HoldPastClose");
}

absl::StatusOr<std::string> FileLock::ReadContents(int64_t) const {
  return Unsupported("FileLock::ReadContents");
}

absl::Status FileLock::WriteContents(absl::string_view) {
  return Unsupported("FileLock::WriteContents");
}

absl::Status OpenNullOnClosedStandardStreams() { return absl::OkStatus(); }

void ReportFileSizeLimitAsError() {}

void FileLock::Unlock() { handle_ = -1; }

absl::StatusOr<intptr_t> FileLock::SetInheritable() {
  return Unsupported("FileLock::SetInheritable");
}

absl::StatusOr<FileSignature> SignatureOf(const std::string&) {
  return Unsupported("SignatureOf");
}

absl::StatusOr<std::string> ReadFileToString(const std::string&, int64_t) {
  return Unsupported("ReadFileToString");
}

absl::Status EnsurePrivateDirectory(const std::string&) {
  return Unsupported("EnsurePrivateDirectory");
}

absl::StatusOr<std::string> PerUserDirectory(absl::string_view) {
  return Unsupported("PerUserDirectory");
}

namespace internal {
namespace {

// Files are never created, so ReplaceFileAtomically and WriteNewFile fail
// at their first step.
class UnsupportedFileOps final : public FileOps {
 public:
  absl::StatusOr<intptr_t> CreateNew(const std::string&) const override {
    return Unsupported("creating a file");
  }
  absl::Status Write(intptr_t, absl::string_view,
                     const std::string&) const override {
    return Unsupported("writing a file");
  }
  absl::Status Sync(intptr_t, const std::string&) const override {
    return Unsupported("syncing a file");
  }
  absl::Status Close(intptr_t, const std::string&) const override {
    return Unsupported("closing a file");
  }
  absl::Status Rename(const std::string&, const std::string&, Durability,
                      bool* transient) const override {
    *transient = false;
    return Unsupported("renaming a file");
  }
  void Remove(const std::string&) const override {}
  absl::Status SyncDirectoryOf(const std::string&) const override {
    return Unsupported("syncing a directory");
  }
  int64_t ProcessId() const override { return 0; }
};

}  // namespace

const FileOps& SystemFileOps() {
  static const UnsupportedFileOps* const ops = new UnsupportedFileOps();
  return *ops;
}

}  // namespace internal

}  // namespace berth::platform
