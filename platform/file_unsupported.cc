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

absl::Status ReplaceFileAtomically(const std::string&, absl::string_view,
                                   Durability) {
  return Unsupported("ReplaceFileAtomically");
}

absl::Status WriteNewFile(const std::string&, absl::string_view) {
  return Unsupported("WriteNewFile");
}

absl::Status EnsurePrivateDirectory(const std::string&) {
  return Unsupported("EnsurePrivateDirectory");
}

absl::StatusOr<std::string> PerUserDirectory(absl::string_view) {
  return Unsupported("PerUserDirectory");
}

}  // namespace berth::platform
